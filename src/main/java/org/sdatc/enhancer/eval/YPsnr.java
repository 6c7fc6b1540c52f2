package org.sdatc.enhancer.eval;

/**
 * Peak signal-to-noise ratio of the luma plane, {@code 10 log10(255^2 / MSE)} over every pixel:
 * no border is cropped, as FFmpeg's {@code psnr} filter does not crop. (SR papers often crop
 * {@code scale} pixels per side; on 720x576 that changes bicubic's figure by a few hundredths of a
 * dB.) Identical frames score {@link #IDENTICAL} instead of infinity, so means and JSON stay finite.
 */
public final class YPsnr {
    /** The score of two identical frames. */
    public static final double IDENTICAL = 100.0;

    private YPsnr() {}

    public static double of(Luma output, Luma truth) {
        output.requireSameSize(truth, "Y-PSNR");
        byte[] a = output.y();
        byte[] b = truth.y();
        long sse = 0;
        for (int i = 0; i < a.length; i++) {
            int d = (a[i] & 0xff) - (b[i] & 0xff);
            sse += (long) d * d;
        }
        if (sse == 0) {
            return IDENTICAL;
        }
        double mse = (double) sse / a.length;
        return Math.min(IDENTICAL, 10 * Math.log10(255.0 * 255.0 / mse));
    }
}
