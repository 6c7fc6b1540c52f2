package org.sdatc.enhancer.tensor;

/**
 * Bilinear resizing of [C, H, W] float tensors with ONNX Resize / PyTorch conventions (half-pixel
 * centres, {@code align_corners=false}, edge samples repeated, no antialiasing). Used to bring
 * optical flow from frame size to latent size and the low-quality reference to output size.
 */
public final class Resize {
    private Resize() {}

    /** Resizes every channel of a [C, H, W] tensor to [C, outH, outW]. */
    public static Tensor bilinear(Tensor src, int outH, int outW) {
        Tensors.requireRank(src, 3, "Resize.bilinear");
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(
                    "Resize.bilinear target size must be positive, got " + outW + "x" + outH);
        }
        int channels = src.dim(0);
        int inH = src.dim(1);
        int inW = src.dim(2);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] fx = new float[outW];
        taps(inW, outW, x0, x1, fx);
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] fy = new float[outH];
        taps(inH, outH, y0, y1, fy);
        float[] in = src.data();
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int inOff = c * inH * inW;
            int outOff = c * outH * outW;
            for (int y = 0; y < outH; y++) {
                int r0 = inOff + y0[y] * inW;
                int r1 = inOff + y1[y] * inW;
                float wy = fy[y];
                int row = outOff + y * outW;
                for (int x = 0; x < outW; x++) {
                    float top = in[r0 + x0[x]] + fx[x] * (in[r0 + x1[x]] - in[r0 + x0[x]]);
                    float bottom = in[r1 + x0[x]] + fx[x] * (in[r1 + x1[x]] - in[r1 + x0[x]]);
                    out[row + x] = top + wy * (bottom - top);
                }
            }
        }
        return new Tensor(out, channels, outH, outW);
    }

    private static void taps(int inSize, int outSize, int[] lo, int[] hi, float[] frac) {
        double scale = (double) inSize / outSize;
        for (int o = 0; o < outSize; o++) {
            double centre = Math.max(0, (o + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(centre), inSize - 1);
            lo[o] = i0;
            hi[o] = Math.min(i0 + 1, inSize - 1);
            frac[o] = (float) (centre - i0);
        }
    }
}
