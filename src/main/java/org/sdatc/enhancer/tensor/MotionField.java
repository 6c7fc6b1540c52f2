package org.sdatc.enhancer.tensor;

import java.util.Objects;

/**
 * Where each pixel of a decoded frame came from in the frame before it, as the video codec coded
 * it (H.264 motion vectors painted over their blocks). A value shared by the decoder, which
 * produces it, and the engine, which turns it into optical flow, like {@link Image}.
 *
 * @param vectors [2, H, W] displacement in pixels, dx then dy: this frame at x looks like the
 *     previous frame at x + v(x) (a backward flow on this frame's grid)
 * @param valid [H, W], 1 where a motion vector covers the pixel, 0 where the codec sent none
 *     (intra-coded blocks, typically new or uncovered content)
 */
public record MotionField(Tensor vectors, Tensor valid) {
    public MotionField {
        Objects.requireNonNull(vectors, "motion vectors");
        Objects.requireNonNull(valid, "motion validity");
        if (vectors.rank() != 3 || vectors.dim(0) != 2) {
            throw new IllegalArgumentException("motion vectors are shaped [2, H, W] (dx, dy), got " + vectors);
        }
        if (valid.rank() != 2 || valid.dim(0) != vectors.dim(1) || valid.dim(1) != vectors.dim(2)) {
            throw new IllegalArgumentException("motion validity " + valid + " must be [H, W] of " + vectors);
        }
    }

    public int height() {
        return vectors.dim(1);
    }

    public int width() {
        return vectors.dim(2);
    }

    /** Share of pixels covered by a motion vector, in [0, 1]. */
    public double validFraction() {
        float[] v = valid.data();
        long n = 0;
        for (float f : v) {
            if (f > 0) {
                n++;
            }
        }
        return (double) n / v.length;
    }

    /**
     * The region at (x, y) of size w x h, extended beyond this field by repeating its edge pixels
     * (the way the engine extends a tile's frames). Vectors keep their values: they are pixels of
     * the same grid.
     */
    public MotionField cropPad(int x, int y, int w, int h) {
        if (x == 0 && y == 0 && w == width() && h == height()) {
            return this;
        }
        int sw = width();
        int sh = height();
        int splane = sw * sh;
        int plane = w * h;
        float[] s = vectors.data();
        float[] sv = valid.data();
        float[] d = new float[2 * plane];
        float[] dv = new float[plane];
        for (int r = 0; r < h; r++) {
            int sy = Math.max(0, Math.min(sh - 1, y + r));
            for (int c = 0; c < w; c++) {
                int sx = Math.max(0, Math.min(sw - 1, x + c));
                int si = sy * sw + sx;
                int di = r * w + c;
                d[di] = s[si];
                d[plane + di] = s[splane + si];
                dv[di] = sv[si];
            }
        }
        return new MotionField(new Tensor(d, 2, h, w), new Tensor(dv, h, w));
    }
}
