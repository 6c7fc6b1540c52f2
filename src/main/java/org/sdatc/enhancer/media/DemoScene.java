package org.sdatc.enhancer.media;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * The demo's generated clip: a scene with structure an upscaler can be judged on, drawn
 * procedurally so nothing is downloaded. A brick wall (mortar lines, per-brick colour and grain),
 * a ring target whose rings get finer towards the edge, and a striped panel, seen by a camera that
 * pans across the wall and slowly zooms in. Each pixel averages 3x3 samples, so edges are
 * anti-aliased like a camera's, not stair-stepped.
 */
public final class DemoScene {
    /** World units per brick row; a frame at zoom 1 sees {@code height / ROW} rows. */
    private static final double ROW = 18;

    private static final int SAMPLES = 3;

    private DemoScene() {}

    /** {@code frames} frames of {@code width x height}: the camera pans right and zooms in by 40 %. */
    public static List<Image> generate(int width, int height, int frames) {
        if (width <= 0 || height <= 0 || frames <= 0) {
            throw new IllegalArgumentException(
                    "clip size and length must be positive, got " + width + "x" + height + " x " + frames);
        }
        double unit = height / 144.0; // world units scale with the frame, so every size sees the same scene
        List<Image> out = new ArrayList<>(frames);
        for (int t = 0; t < frames; t++) {
            double progress = frames == 1 ? 0 : t / (double) (frames - 1);
            double zoom = 1 + 0.4 * progress;
            double camX = 1.2 * t; // world units per frame
            double camY = 6 * Math.sin(progress * Math.PI);
            byte[] rgb = new byte[width * height * 3];
            double[] colour = new double[3];
            double[] sum = new double[3];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    sum[0] = sum[1] = sum[2] = 0;
                    for (int sy = 0; sy < SAMPLES; sy++) {
                        for (int sx = 0; sx < SAMPLES; sx++) {
                            double px = x + (sx + 0.5) / SAMPLES - width / 2.0;
                            double py = y + (sy + 0.5) / SAMPLES - height / 2.0;
                            scene(px / (zoom * unit) + camX, py / (zoom * unit) + camY, colour);
                            sum[0] += colour[0];
                            sum[1] += colour[1];
                            sum[2] += colour[2];
                        }
                    }
                    int o = (y * width + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        rgb[o + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(sum[c] / (SAMPLES * SAMPLES))));
                    }
                }
            }
            out.add(new Image(width, height, rgb));
        }
        return out;
    }

    /** The colour at world point (u, v). */
    private static void scene(double u, double v, double[] rgb) {
        // A ring target fixed on the wall: rings narrow towards the edge (a zone plate's test of detail).
        double tu = u - 150;
        double tv = v + 10;
        double r2 = tu * tu + tv * tv;
        if (r2 < 42 * 42) {
            double ring = Math.cos(r2 / 60.0);
            double g = ring > 0 ? 235 : 25;
            rgb[0] = g;
            rgb[1] = g * 0.95;
            rgb[2] = r2 < 6 * 6 ? 30 : g * 0.9;
            return;
        }
        // A striped panel: fine diagonal lines, black on yellow.
        double pu = u - 40;
        double pv = v - 8;
        if (pu > 0 && pu < 60 && pv > 0 && pv < 34) {
            boolean line = ((int) Math.floor((pu + pv) / 3.0) & 1) == 0;
            rgb[0] = line ? 20 : 240;
            rgb[1] = line ? 20 : 200;
            rgb[2] = line ? 20 : 40;
            return;
        }
        // Bricks: rows of ROW units, every other row offset by half a brick, 4-unit-wide mortar.
        int row = (int) Math.floor(v / ROW);
        double brickW = 2.2 * ROW;
        double shifted = u + ((row & 1) == 0 ? 0 : brickW / 2);
        int col = (int) Math.floor(shifted / brickW);
        double inU = shifted - col * brickW;
        double inV = v - row * ROW;
        if (inU < 2 || inV < 2) {
            rgb[0] = rgb[1] = rgb[2] = 185; // mortar
            return;
        }
        int h = hash(row, col);
        double base = 0.75 + 0.25 * ((h & 255) / 255.0);
        // Grain: a fine periodic texture across the brick face.
        double grain = 12 * Math.sin(u * 2.1 + 3 * Math.sin(v * 0.7)) * Math.sin(v * 1.7);
        rgb[0] = 170 * base + grain;
        rgb[1] = (70 + ((h >> 8) & 31)) * base + grain;
        rgb[2] = (50 + ((h >> 13) & 15)) * base + grain;
    }

    private static int hash(int a, int b) {
        int h = a * 0x27d4eb2d ^ b * 0x165667b1;
        h ^= h >>> 15;
        h *= 0x85ebca6b;
        return h ^ (h >>> 13);
    }
}
