package org.sdatc.enhancer.tensor;

import java.util.stream.IntStream;

/**
 * The separable binomial blur [1, 2, 1] / 4 (in 2-D the 3x3 kernel [1 2 1; 2 4 2; 1 2 1] / 16)
 * with a dilation: taps at -d, 0, +d. Repeating it with d = 1, 2, 4, ... is the "a trous" wavelet
 * decomposition used by the wavelet colour fix. Borders repeat the edge pixel (replicate padding),
 * so a flat image stays flat up to its edges.
 */
public final class Blur {
    private Blur() {}

    /** Blurs every channel of a [C, H, W] tensor into a new tensor. */
    public static Tensor binomial3x3(Tensor src, int dilation) {
        Tensors.requireRank(src, 3, "Blur.binomial3x3");
        if (dilation < 1) {
            throw new IllegalArgumentException("blur dilation must be >= 1, got " + dilation);
        }
        int channels = src.dim(0);
        int h = src.dim(1);
        int w = src.dim(2);
        float[] in = src.data();
        float[] out = new float[in.length];
        IntStream.range(0, channels).parallel().forEach(c -> {
            int off = c * h * w;
            float[] mid = new float[h * w];
            for (int y = 0; y < h; y++) {
                int row = off + y * w;
                for (int x = 0; x < w; x++) {
                    int xl = Math.max(0, x - dilation);
                    int xr = Math.min(w - 1, x + dilation);
                    mid[y * w + x] = 0.25f * in[row + xl] + 0.5f * in[row + x] + 0.25f * in[row + xr];
                }
            }
            for (int y = 0; y < h; y++) {
                int up = Math.max(0, y - dilation) * w;
                int down = Math.min(h - 1, y + dilation) * w;
                int here = y * w;
                for (int x = 0; x < w; x++) {
                    out[off + here + x] = 0.25f * mid[up + x] + 0.5f * mid[here + x] + 0.25f * mid[down + x];
                }
            }
        });
        return new Tensor(out, channels, h, w);
    }
}
