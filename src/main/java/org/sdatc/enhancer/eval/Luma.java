package org.sdatc.enhancer.eval;

import org.sdatc.enhancer.tensor.Image;

/**
 * The 8-bit luma plane of an RGB24 frame: BT.601, limited range (Y in 16..235), rounded to whole
 * values, {@code Y = round(16 + (65.481 R + 128.553 G + 24.966 B) / 255)}. It is what FFmpeg writes
 * into the Y plane when it converts RGB frames to YUV (libswscale's default matrix), and the luma
 * that SR papers measure PSNR on (MATLAB's {@code rgb2ycbcr}, BasicSR's {@code y_only}), so that
 * {@link YPsnr} and {@link Ssim} agree with FFmpeg's {@code psnr} and {@code ssim} filters.
 *
 * @param y row-major, unsigned bytes
 */
public record Luma(int width, int height, byte[] y) {
    public Luma {
        if (y.length != width * height) {
            throw new IllegalArgumentException(
                    "a " + width + "x" + height + " luma plane needs " + width * height + " bytes, got " + y.length);
        }
    }

    public static Luma of(Image image) {
        byte[] rgb = image.rgb();
        byte[] y = new byte[image.width() * image.height()];
        for (int i = 0; i < y.length; i++) {
            int r = rgb[3 * i] & 0xff;
            int g = rgb[3 * i + 1] & 0xff;
            int b = rgb[3 * i + 2] & 0xff;
            y[i] = (byte) (int) Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0);
        }
        return new Luma(image.width(), image.height(), y);
    }

    /** Sample (x, y), 16..235. */
    public int at(int x, int row) {
        return y[row * width + x] & 0xff;
    }

    void requireSameSize(Luma other, String metric) {
        if (other.width != width || other.height != height) {
            throw new IllegalArgumentException(metric + " needs frames of one size, got " + width + "x" + height
                    + " and " + other.width + "x" + other.height);
        }
    }
}
