package org.sdatc.enhancer.engine.sdatc;

import java.util.ArrayList;
import java.util.List;

/**
 * A rectangle of the low-resolution frame processed on its own, in low-resolution pixels.
 *
 * <p>Large frames are cut into overlapping tiles so the UNet and VAE never see more pixels than
 * {@code tileSize} per side (memory), and the outputs are blended with linear ramps across the
 * overlaps. Each tile is edge-padded at its own borders, so its outermost pixels differ from the
 * untiled result (bicubic reads 2 pixels beyond; the VAE and UNet see further); the ramps give
 * those pixels zero weight where a neighbour covers them.
 */
record Tile(int x, int y, int width, int height) {

    /** Tiles covering a {@code width x height} frame; one tile when the output fits {@code tileSize}. */
    static List<Tile> plan(int width, int height, int scale, int tileSize, int tileOverlap) {
        int t = Math.max(1, tileSize / scale);
        int o = Math.max(1, tileOverlap / scale);
        List<Tile> tiles = new ArrayList<>();
        int[] xs = starts(width, t, o);
        int[] ys = starts(height, t, o);
        for (int y : ys) {
            for (int x : xs) {
                tiles.add(new Tile(x, y, Math.min(t, width), Math.min(t, height)));
            }
        }
        return tiles;
    }

    private static int[] starts(int length, int tile, int overlap) {
        if (length <= tile) {
            return new int[] {0};
        }
        int n = (int) Math.ceil((double) (length - overlap) / (tile - overlap));
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = (int) Math.round((double) i * (length - tile) / (n - 1));
        }
        return s;
    }

    /**
     * Blend weight of each output pixel of this tile, [height * scale][width * scale] row-major:
     * 1 inside, 0 within {@code margin} output pixels of an edge shared with a neighbour, a
     * linear ramp in between.
     */
    float[] weights(int frameWidth, int frameHeight, int scale, int overlap) {
        int ow = width * scale;
        int oh = height * scale;
        int margin = Math.min(8, overlap / 4);
        float[] wx = ramp(ow, x > 0, x + width < frameWidth, overlap, margin);
        float[] wy = ramp(oh, y > 0, y + height < frameHeight, overlap, margin);
        float[] w = new float[ow * oh];
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                // A floor keeps the sum positive where only border pixels of tiles meet.
                w[r * ow + c] = Math.max(1e-6f, wx[c] * wy[r]);
            }
        }
        return w;
    }

    private static float[] ramp(int n, boolean lowShared, boolean highShared, int overlap, int margin) {
        float[] w = new float[n];
        float span = Math.max(1, overlap - 2 * margin);
        for (int i = 0; i < n; i++) {
            float v = 1;
            if (lowShared) {
                v = Math.min(v, Math.clamp((i + 0.5f - margin) / span, 0f, 1f));
            }
            if (highShared) {
                v = Math.min(v, Math.clamp((n - i - 0.5f - margin) / span, 0f, 1f));
            }
            w[i] = v;
        }
        return w;
    }
}
