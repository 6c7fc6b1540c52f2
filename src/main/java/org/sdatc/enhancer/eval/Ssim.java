package org.sdatc.enhancer.eval;

/**
 * Structural similarity (Wang et al. 2004) of two luma planes, computed the way FFmpeg's {@code ssim}
 * filter (after x264) does, so the two agree: SSIM on 8x8 windows placed every 4 pixels in both
 * directions (neighbouring windows overlap by half), uniform weights, sample variances (over 63),
 * and the mean over all windows. FFmpeg's constants, written for sums over the 64 pixels of a
 * window, are {@code c1 = round(64 (0.01 * 255)^2) = 416} and {@code c2 = round(64 * 63 (0.03 *
 * 255)^2) = 235963}; since the luminance term squares sums (not means), its effective C1 is the
 * paper's divided by 64. We keep that, to agree with FFmpeg; it only matters in near-black windows.
 * No border is cropped; columns and rows past the last whole 4-pixel block are not covered, as in
 * FFmpeg.
 *
 * <p>Papers that use MATLAB's or BasicSR's SSIM (an 11x11 Gaussian window, sigma 1.5, borders
 * cropped) get values that differ from these in the second or third decimal: compare like with like.
 */
public final class Ssim {
    private static final double C1 = Math.round(64 * 0.01 * 0.01 * 255 * 255);
    private static final double C2 = Math.round(64 * 63 * 0.03 * 0.03 * 255 * 255);

    private Ssim() {}

    public static double of(Luma output, Luma truth) {
        output.requireSameSize(truth, "SSIM");
        int bw = output.width() / 4;
        int bh = output.height() / 4;
        if (bw < 2 || bh < 2) {
            throw new IllegalArgumentException(
                    "SSIM needs frames of at least 8x8, got " + output.width() + "x" + output.height());
        }
        // Sums over each 4x4 block: a, b, a^2 + b^2, a * b. A window is 2x2 blocks.
        long[][] above = blockSums(output, truth, 0, bw);
        double total = 0;
        for (int by = 1; by < bh; by++) {
            long[][] below = blockSums(output, truth, by, bw);
            for (int bx = 0; bx + 1 < bw; bx++) {
                long s1 = above[0][bx] + above[0][bx + 1] + below[0][bx] + below[0][bx + 1];
                long s2 = above[1][bx] + above[1][bx + 1] + below[1][bx] + below[1][bx + 1];
                long ss = above[2][bx] + above[2][bx + 1] + below[2][bx] + below[2][bx + 1];
                long s12 = above[3][bx] + above[3][bx + 1] + below[3][bx] + below[3][bx + 1];
                total += window(s1, s2, ss, s12);
            }
            above = below;
        }
        return total / ((double) (bw - 1) * (bh - 1));
    }

    /** SSIM of one 64-pixel window from its sums of a, b, a^2 + b^2 and a * b. */
    private static double window(long s1, long s2, long ss, long s12) {
        double vars = 64.0 * ss - (double) s1 * s1 - (double) s2 * s2;
        double covar = 64.0 * s12 - (double) s1 * s2;
        return (2.0 * s1 * s2 + C1) * (2 * covar + C2) / (((double) s1 * s1 + (double) s2 * s2 + C1) * (vars + C2));
    }

    private static long[][] blockSums(Luma a, Luma b, int blockRow, int blocks) {
        long[][] sums = new long[4][blocks];
        byte[] pa = a.y();
        byte[] pb = b.y();
        int w = a.width();
        for (int bx = 0; bx < blocks; bx++) {
            long s1 = 0;
            long s2 = 0;
            long ss = 0;
            long s12 = 0;
            for (int y = blockRow * 4; y < blockRow * 4 + 4; y++) {
                for (int x = bx * 4; x < bx * 4 + 4; x++) {
                    int va = pa[y * w + x] & 0xff;
                    int vb = pb[y * w + x] & 0xff;
                    s1 += va;
                    s2 += vb;
                    ss += va * va + vb * vb;
                    s12 += va * vb;
                }
            }
            sums[0][bx] = s1;
            sums[1][bx] = s2;
            sums[2][bx] = ss;
            sums[3][bx] = s12;
        }
        return sums;
    }
}
