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

    /**
     * Tiles covering a {@code width x height} frame; one tile when the output fits {@code tileSize}.
     * Along each axis, n = ceil((L - o) / (t - o)) tiles of equal length ceil((L + (n - 1) o) / n),
     * evenly spaced: as little overlap beyond {@code tileOverlap} as the count allows (a 1920x1080
     * output in tiles of 1024 is 2 x 2 tiles of 992x572, not 1024x1024 ones overlapping by half).
     */
    static List<Tile> plan(int width, int height, int scale, int tileSize, int tileOverlap) {
        int t = Math.max(2, tileSize / scale);
        int o = Math.max(1, tileOverlap / scale);
        int[] xs = axis(width, t, o);
        int[] ys = axis(height, t, o);
        List<Tile> tiles = new ArrayList<>();
        for (int y = 1; y < ys.length; y++) {
            for (int x = 1; x < xs.length; x++) {
                tiles.add(new Tile(xs[x], ys[y], xs[0], ys[0]));
            }
        }
        return tiles;
    }

    /** [tile length, start 0, start 1, ...] along one axis. */
    private static int[] axis(int length, int tile, int overlap) {
        if (length <= tile) {
            return new int[] {length, 0};
        }
        int n = (int) Math.ceil((double) (length - overlap) / (tile - overlap));
        int len = (int) Math.ceil((double) (length + (n - 1) * overlap) / n);
        int[] s = new int[n + 1];
        s[0] = len;
        for (int i = 0; i < n; i++) {
            s[i + 1] = (int) Math.round((double) i * (length - len) / (n - 1));
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
