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
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    float acc = 0;
                    for (int k = 0; k < 4; k++) {
                        acc += tx.weight[x * 4 + k] * (in[rowIn + tx.index[x * 4 + k] * 3 + c] & 0xff);
                    }
                    mid[rowMid + x * 3 + c] = acc;
                }
            }
        });
        byte[] out = new byte[oh * ow * 3];
        IntStream.range(0, oh).parallel().forEach(y -> {
            int rowOut = y * ow * 3;
            for (int i = 0; i < ow * 3; i++) {
                float acc = 0;
                for (int k = 0; k < 4; k++) {
                    acc += ty.weight[y * 4 + k] * mid[ty.index[y * 4 + k] * ow * 3 + i];
                }
                int q = Math.round(acc);
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
