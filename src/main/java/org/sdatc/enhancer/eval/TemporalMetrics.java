package org.sdatc.enhancer.eval;

import org.sdatc.enhancer.engine.flow.FlowField;
import org.sdatc.enhancer.engine.flow.Warp;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Temporal consistency of an output against the ground truth's own motion ({@link
 * ReferenceMotion}).
 *
 * <ul>
 *   <li>Warping error (Lai et al. 2018, as VSR papers report it, E*warp): output frame t - 1 warped to
 *       frame t with the ground truth's flow, then {@code sum_x M(x) ||o_t(x) - W(o_t-1)(x)||^2 /
 *       sum_x M(x)}, RGB in [0, 1], the squared norm summed over the three channels, M the ground
 *       truth's validity mask. Lower is steadier; flicker the ground truth does not have raises it.
 *   <li>tOF (after TecoGAN, Chu et al. 2020): the mean over all pixels of the end-point distance
 *       between the output's own optical flow from t to t - 1 and the ground truth's, in output
 *       pixels. Here both flows are OpenCV DIS ({@link ReferenceMotion#PRESET}); TecoGAN used
 *       Farneback, so values are comparable in kind, not digit for digit.
 * </ul>
 */
public final class TemporalMetrics {
    private TemporalMetrics() {}

    /** Masked warping error of one pair; NaN when no pixel is valid. */
    static double warpError(Tensor previous, Tensor current, ReferenceMotion.Pair pair) {
        Tensor warped = Warp.backward(previous, pair.backward());
        float[] m = pair.mask().data();
        float[] a = current.data();
        float[] b = warped.data();
        int plane = m.length;
        int channels = a.length / plane;
        double sum = 0;
        double weight = 0;
        for (int p = 0; p < plane; p++) {
            if (m[p] == 0) {
                continue;
            }
            double e = 0;
            for (int c = 0; c < channels; c++) {
                double d = a[c * plane + p] - b[c * plane + p];
                e += d * d;
            }
            sum += m[p] * e;
            weight += m[p];
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }

    /** Mean end-point distance between two flows on one grid. */
    static double flowDistance(FlowField output, FlowField truth) {
        float[] a = output.data().data();
        float[] b = truth.data().data();
        int plane = a.length / 2;
        double sum = 0;
        for (int p = 0; p < plane; p++) {
            double dx = a[p] - b[p];
            double dy = a[plane + p] - b[plane + p];
            sum += Math.sqrt(dx * dx + dy * dy);
        }
        return sum / plane;
    }
}
