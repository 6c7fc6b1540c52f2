package org.sdatc.enhancer.tensor;

/**
 * One video frame as packed 8-bit RGB (RGB24, row-major, 3 bytes per pixel): the form frames
 * take between the codec, the window logic, the state stores and the enhancers.
 */
public record Image(int width, int height, byte[] rgb) {
    public Image {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB24 image needs " + width * height * 3
                    + " bytes, got " + rgb.length);
        }
    }

    public static Image blank(int width, int height) {
        return new Image(width, height, new byte[width * height * 3]);
    }

    /** Channel c (0 red, 1 green, 2 blue) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** Planar float copy, shape [3, height, width], values in [0, 1]. */
    public Tensor toTensor() {
        Tensor t = Tensor.zeros(3, height, width);
        writeInto(t.data(), 0);
        return t;
    }

    /** Writes this image as planar [3, height, width] floats in [0, 1] into dst at offset. */
    public void writeInto(float[] dst, int offset) {
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            dst[offset + i] = (rgb[i * 3] & 0xff) / 255f;
            dst[offset + plane + i] = (rgb[i * 3 + 1] & 0xff) / 255f;
            dst[offset + 2 * plane + i] = (rgb[i * 3 + 2] & 0xff) / 255f;
        }
    }

    private static final float[] UNIT_GAIN = {1, 1, 1};
    private static final float[] NO_BIAS = {0, 0, 0};

    /** Reads planar [3, height, width] floats in [0, 1] at offset, rounding and clamping to 8 bits. */
    public static Image fromPlanar(float[] src, int offset, int width, int height) {
        return fromPhases(src, offset, width, height, 1, UNIT_GAIN, NO_BIAS);
    }

    /**
     * An 8-bit image of {@code gain[c] * v + bias[c]} (a colour correction that is a per-channel
     * affine map) for the planar floats v of a frame still split into sub-pixel phases, [3 r^2, h, w]
     * at {@code offset} in PixelShuffle (CRD) order: phase plane c r^2 + i r + j holds output pixels
     * (r y + i, r x + j) of colour c; r = 1 is a plain [3, h, w] frame. The image is (r w) x (r h).
     * Rounds half up in float arithmetic, one plane at a time with a branch-free clamp: several
     * times faster than Math.round per value, and the same 8-bit value except where a value lies
     * within a float's rounding of a half.
     */
    public static Image fromPhases(float[] src, int offset, int w, int h, int r, float[] gain, float[] bias) {
        int width = w * r;
        byte[] rgb = new byte[width * h * r * 3];
        int phasePlane = w * h;
        for (int c = 0; c < 3; c++) {
            float k = gain[c] * 255f;
            float o = bias[c] * 255f + 0.5f;
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    int base = offset + ((c * r + i) * r + j) * phasePlane;
                    for (int y = 0; y < h; y++) {
                        int row = ((y * r + i) * width + j) * 3 + c;
                        int in = base + y * w;
                        for (int x = 0; x < w; x++) {
                            int q = (int) (src[in + x] * k + o);
                            rgb[row + x * r * 3] = (byte) Math.min(255, Math.max(0, q));
                        }
                    }
                }
            }
        }
        return new Image(width, h * r, rgb);
    }

    /** Inverse of {@link #toTensor()} for a [3, H, W] or [1, 3, H, W] tensor. */
    public static Image fromTensor(Tensor t) {
        return fromPlanar(t.data(), 0, t.dim(-1), t.dim(-2));
    }
}
