package org.sdatc.enhancer.media;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sdatc.enhancer.tensor.Image;

/**
 * A deterministic test clip with the properties that matter to a codec and a video enhancer: a
 * textured background (two octaves of smooth noise, fine detail included) that pans, and several
 * sharp-edged objects (discs, a striped box) that move across it on their own paths. Flat or static
 * content would make encoder and motion tests pass trivially.
 */
public final class SyntheticClip {
    private static final int COARSE_CELL = 32;
    private static final int FINE_CELL = 4;

    private SyntheticClip() {}

    /** {@code frames} frames of {@code width x height}; the same seed gives the same pixels. */
    public static List<Image> generate(int width, int height, int frames, long seed) {
        if (width <= 0 || height <= 0 || frames <= 0) {
            throw new IllegalArgumentException(
                    "clip size and length must be positive, got " + width + "x" + height + " x " + frames);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int tw = roundUp(width, COARSE_CELL);
        int th = roundUp(height, COARSE_CELL);
        byte[] texture = texture(tw, th, random);
        List<Shape> shapes = new ArrayList<>();
        int count = 4;
        for (int i = 0; i < count; i++) {
            int size = Math.max(4, Math.min(width, height) / (5 + i));
            shapes.add(new Shape(
                    i % 2 == 0,
                    size,
                    random.nextDouble() * (width - size),
                    random.nextDouble() * (height - size),
                    (random.nextDouble() - 0.5) * width / 40.0,
                    (random.nextDouble() - 0.5) * height / 40.0,
                    new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)}));
        }
        // Background pans diagonally, about 1% of the width per frame.
        double panX = Math.max(1, width / 100.0);
        double panY = Math.max(1, height / 180.0);
        List<Image> out = new ArrayList<>(frames);
        for (int t = 0; t < frames; t++) {
            byte[] rgb = new byte[width * height * 3];
            int ox = (int) Math.round(t * panX);
            int oy = (int) Math.round(t * panY);
            for (int y = 0; y < height; y++) {
                int ty = (y + oy) % th;
                for (int x = 0; x < width; x++) {
                    int tx = (x + ox) % tw;
                    System.arraycopy(texture, (ty * tw + tx) * 3, rgb, (y * width + x) * 3, 3);
                }
            }
            for (Shape s : shapes) {
                s.draw(rgb, width, height, t);
            }
            out.add(new Image(width, height, rgb));
        }
        return out;
    }

    /**
     * A clip of known motion: crops of one larger still frame of {@link #generate}, so that
     * everything moves together by exactly {@code shifts[k - 1]} = {dx, dy} whole pixels from frame
     * k - 1 to frame k (content moves right for dx > 0, down for dy > 0). Frame 0 is the crop at
     * the centre; there are {@code shifts.length + 1} frames.
     */
    public static List<Image> translating(int width, int height, long seed, int[]... shifts) {
        int[] x = new int[shifts.length + 1];
        int[] y = new int[shifts.length + 1];
        int minX = 0;
        int maxX = 0;
        int minY = 0;
        int maxY = 0;
        for (int k = 1; k <= shifts.length; k++) {
            // Content moving by +d means the crop window moving by -d over the still frame.
            x[k] = x[k - 1] - shifts[k - 1][0];
            y[k] = y[k - 1] - shifts[k - 1][1];
            minX = Math.min(minX, x[k]);
            maxX = Math.max(maxX, x[k]);
            minY = Math.min(minY, y[k]);
            maxY = Math.max(maxY, y[k]);
        }
        Image big = generate(width + maxX - minX, height + maxY - minY, 1, seed).get(0);
        List<Image> out = new ArrayList<>(x.length);
        for (int k = 0; k < x.length; k++) {
            byte[] rgb = new byte[width * height * 3];
            for (int r = 0; r < height; r++) {
                int src = ((y[k] - minY + r) * big.width() + x[k] - minX) * 3;
                System.arraycopy(big.rgb(), src, rgb, r * width * 3, width * 3);
            }
            out.add(new Image(width, height, rgb));
        }
        return out;
    }

    private static byte[] texture(int tw, int th, SplittableRandom random) {
        float[][] coarse = grid(tw / COARSE_CELL, th / COARSE_CELL, 3, random);
        // Fine detail in luminance only: like camera footage, colour varies slowly (4:2:0 assumes it).
        float[][] fine = grid(tw / FINE_CELL, th / FINE_CELL, 1, random);
        byte[] rgb = new byte[tw * th * 3];
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 150 * sample(coarse, tw / COARSE_CELL, th / COARSE_CELL, x, y, COARSE_CELL, c)
                            + 70 * sample(fine, tw / FINE_CELL, th / FINE_CELL, x, y, FINE_CELL, 0)
                            + 20;
                    rgb[(y * tw + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) v));
                }
            }
        }
        return rgb;
    }

    private static float[][] grid(int gw, int gh, int channels, SplittableRandom random) {
        float[][] g = new float[channels][gw * gh];
        for (float[] plane : g) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = (float) random.nextDouble();
            }
        }
        return g;
    }

    /** Periodic value noise with smoothstep interpolation, so the texture tiles while panning. */
    private static double sample(float[][] g, int gw, int gh, int x, int y, int cell, int c) {
        int gx = x / cell;
        int gy = y / cell;
        double fx = smooth((x % cell) / (double) cell);
        double fy = smooth((y % cell) / (double) cell);
        float[] p = g[c];
        double a = p[gy * gw + gx];
        double b = p[gy * gw + (gx + 1) % gw];
        double d = p[((gy + 1) % gh) * gw + gx];
        double e = p[((gy + 1) % gh) * gw + (gx + 1) % gw];
        return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** A moving object bouncing off the frame edges: a disc, or a box with fine stripes. */
    private record Shape(boolean disc, int size, double x0, double y0, double vx, double vy, int[] color) {
        void draw(byte[] rgb, int width, int height, int t) {
            int x = (int) Math.round(bounce(x0 + vx * t, width - size));
            int y = (int) Math.round(bounce(y0 + vy * t, height - size));
            double r = size / 2.0;
            for (int j = 0; j < size; j++) {
                for (int i = 0; i < size; i++) {
                    int px = x + i;
                    int py = y + j;
                    if (px < 0 || py < 0 || px >= width || py >= height) {
                        continue;
                    }
                    boolean inside;
                    double shade = 1;
                    if (disc) {
                        double dx = i + 0.5 - r;
                        double dy = j + 0.5 - r;
                        inside = dx * dx + dy * dy <= r * r;
                        shade = 1 - 0.4 * (dx * dx + dy * dy) / (r * r);
                    } else {
                        inside = true;
                        shade = ((i / 3 + j / 3) % 2 == 0) ? 1 : 0.55;
                    }
                    if (inside) {
                        int o = (py * width + px) * 3;
                        for (int c = 0; c < 3; c++) {
                            rgb[o + c] = (byte) (int) Math.round(color[c] * shade);
                        }
                    }
                }
            }
        }

        private static double bounce(double p, double span) {
            if (span <= 0) {
                return 0;
            }
            double period = 2 * span;
            double m = ((p % period) + period) % period;
            return m <= span ? m : period - m;
        }
    }
}
