package org.sdatc.enhancer.eval;

import java.util.Arrays;

/**
 * One run's metrics per frame. Arrays indexed by frame ({@code psnrY}, {@code ssim}, {@code
 * brisque}) have one entry per frame; the temporal ones ({@code warpError}, {@code tof}) one per
 * pair, entry i for frames (i, i + 1). NaN marks a value that could not be computed (BRISQUE
 * unavailable, a pair with no valid pixel); means skip NaN and are NaN when nothing is left.
 */
public record Scores(double[] psnrY, double[] ssim, double[] warpError, double[] tof, double[] brisque) {
    public double meanPsnrY() {
        return mean(psnrY);
    }

    public double meanSsim() {
        return mean(ssim);
    }

    public double meanWarpError() {
        return mean(warpError);
    }

    public double meanTof() {
        return mean(tof);
    }

    public double meanBrisque() {
        return mean(brisque);
    }

    /** Mean of the non-NaN values, NaN if none. */
    public static double mean(double[] values) {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }
}
