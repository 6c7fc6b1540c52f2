package org.sdatc.enhancer.engine.flow;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * Validity masks from forward-backward consistency (Sundaram, Brox and Keutzer 2010; the rule of
 * Ruder et al. 2016 and UnFlow): a pixel x of frame a with flow f to frame b is valid when
 * |f(x) + g(x + f(x))|^2 < {@value #ALPHA} (|f(x)|^2 + |g(x + f(x))|^2) + {@value #BETA}, where g
 * is the flow from b back to a, and when x + f(x) falls inside b. Occluded, disoccluded and
 * out-of-frame pixels get 0 and so add nothing to the warping error of Eq. 13.
 */
public final class Occlusion {
    /** Relative tolerance: allows errors growing with motion (1% of the squared magnitudes). */
    public static final double ALPHA = 0.01;

    /** Absolute tolerance in squared pixels of the flow's grid: sub-pixel noise of the estimator. */
    public static final double BETA = 0.5;

    private Occlusion() {}

    /**
     * The [H, W] mask (1 valid, 0 not) on {@code flow}'s grid.
     *
     * @param flow from frame a to b, on a's grid
     * @param reverse from b to a, on b's grid
     */
    public static Tensor mask(FlowField flow, FlowField reverse) {
        int h = flow.height();
        int w = flow.width();
        if (reverse.height() != h || reverse.width() != w) {
            throw new IllegalArgumentException(
                    "Occlusion.mask needs flows of one size, got " + flow.data() + " and " + reverse.data());
        }
        Tensor back = Warp.backward(reverse.data(), flow);
        float[] f = flow.data().data();
        float[] g = back.data();
        int plane = h * w;
        float[] m = new float[plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                double fx = f[p];
                double fy = f[plane + p];
                double sx = x + fx;
                double sy = y + fy;
                if (sx < 0 || sx > w - 1 || sy < 0 || sy > h - 1) {
                    continue;
                }
                double gx = g[p];
                double gy = g[plane + p];
                double sumX = fx + gx;
                double sumY = fy + gy;
                double lhs = sumX * sumX + sumY * sumY;
                double rhs = ALPHA * (fx * fx + fy * fy + gx * gx + gy * gy) + BETA;
                m[p] = lhs < rhs ? 1f : 0f;
            }
        }
        return new Tensor(m, h, w);
    }
}
