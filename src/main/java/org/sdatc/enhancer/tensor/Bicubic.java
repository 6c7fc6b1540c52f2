package org.sdatc.enhancer.tensor;

import java.util.stream.IntStream;

/**
 * Bicubic resampling with the conventions of ONNX Resize (mode cubic, cubic_coeff_a = -0.75,
 * half_pixel coordinates, edge pixels repeated), which are also PyTorch's and OpenCV's. The
 * bicubic enhancer and the reference DCM both follow it, so their outputs can be compared.
 */
public final class Bicubic {
    public static final float A = -0.75f;

    private Bicubic() {}

    /** Resizes an RGB24 image by an integer factor. */
    public static Image upscale(Image src, int scale) {
        int ow = src.width() * scale;
        int oh = src.height() * scale;
        Taps tx = taps(src.width(), ow);
        Taps ty = taps(src.height(), oh);
        int w = src.width();
        byte[] in = src.rgb();
        // Horizontal pass into floats (source rows x output columns), then vertical pass to bytes.
        float[] mid = new float[src.height() * ow * 3];
        IntStream.range(0, src.height()).parallel().forEach(y -> {
            int rowIn = y * w * 3;
            int rowMid = y * ow * 3;
            float[] row = new float[w * 3];
            for (int i = 0; i < row.length; i++) {
                row[i] = in[rowIn + i] & 0xff;
            }
            for (int x = 0; x < ow; x++) {
                int t = x * 4;
                int p0 = tx.index[t] * 3;
                int p1 = tx.index[t + 1] * 3;
                int p2 = tx.index[t + 2] * 3;
                int p3 = tx.index[t + 3] * 3;
                float w0 = tx.weight[t];
                float w1 = tx.weight[t + 1];
                float w2 = tx.weight[t + 2];
                float w3 = tx.weight[t + 3];
                for (int c = 0; c < 3; c++) {
                    mid[rowMid + x * 3 + c] = w0 * row[p0 + c] + w1 * row[p1 + c] + w2 * row[p2 + c] + w3 * row[p3 + c];
                }
            }
        });
        byte[] out = new byte[oh * ow * 3];
        int rowLength = ow * 3;
        IntStream.range(0, oh).parallel().forEach(y -> {
            int t = y * 4;
            int r0 = ty.index[t] * rowLength;
            int r1 = ty.index[t + 1] * rowLength;
            int r2 = ty.index[t + 2] * rowLength;
            int r3 = ty.index[t + 3] * rowLength;
            float w0 = ty.weight[t];
            float w1 = ty.weight[t + 1];
            float w2 = ty.weight[t + 2];
            float w3 = ty.weight[t + 3];
            int rowOut = y * rowLength;
            for (int i = 0; i < rowLength; i++) {
                float acc = w0 * mid[r0 + i] + w1 * mid[r1 + i] + w2 * mid[r2 + i] + w3 * mid[r3 + i];
                // Round half up, then clamp: the same as Math.round for the values that survive.
                int q = (int) (acc + 0.5f);
                out[rowOut + i] = (byte) (q < 0 ? 0 : Math.min(255, q));
            }
        });
        return new Image(ow, oh, out);
    }

    /** The cubic convolution kernel with coefficient {@link #A}. */
    public static float kernel(float x) {
        float ax = Math.abs(x);
        if (ax <= 1) {
            return ((A + 2) * ax - (A + 3)) * ax * ax + 1;
        }
        if (ax < 2) {
            return ((A * ax - 5 * A) * ax + 8 * A) * ax - 4 * A;
        }
        return 0;
    }

    private record Taps(int[] index, float[] weight) {}

    private static Taps taps(int inSize, int outSize) {
        int[] index = new int[outSize * 4];
        float[] weight = new float[outSize * 4];
        float scale = (float) inSize / outSize;
        for (int o = 0; o < outSize; o++) {
            float center = (o + 0.5f) * scale - 0.5f;
            int base = (int) Math.floor(center);
            float frac = center - base;
            for (int k = 0; k < 4; k++) {
                int i = base - 1 + k;
                index[o * 4 + k] = Math.max(0, Math.min(inSize - 1, i));
                weight[o * 4 + k] = kernel(frac - (k - 1));
            }
        }
        return new Taps(index, weight);
    }
}
