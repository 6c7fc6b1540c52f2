package org.sdatc.enhancer.engine.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.sdatc.enhancer.engine.sampler.NoiseSchedule;
import org.sdatc.enhancer.engine.sampler.StepHook;
import org.sdatc.enhancer.tensor.Resize;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Eq. 13-14: flow-guided latent correction. After every sampler step the L1 warping error of the
 * window's latents,
 *
 * <pre>
 * E = sum_i |M_b (f_b(Z^i) - Z^(i+1))|_1 + sum_i |M_f (f_f(Z^(i+1)) - Z^i)|_1   (Eq. 13)
 * </pre>
 *
 * (f_b, f_f backward and forward warping between adjacent frames, M the occlusion masks of
 * {@link Occlusion}) is differentiated exactly, through the adjoint of the warp, and the latents
 * move against the gradient: Z &lt;- Z - step(t) grad E (Eq. 14). When the previous window's final
 * latents and the flow from its last frame to this window's first frame are supplied
 * ({@link Boundary}), the same two terms tie this window's first frame to them, so consecutive
 * windows and segments do not flicker at their seams.
 *
 * <p><b>Step size.</b> {@link StepSize#VARIANCE} is the paper's sigma_t^2 = 1 - abar_t at the
 * step's timestep, the default: it is what Eq. 14 prescribes, it corrects strongly while the
 * latents are noisy and structure is still being decided, and it stays non-zero in the last step
 * of a few-step sampler (for 4 trailing steps the last timestep is 249, sigma^2 ~ 0.6).
 * {@link StepSize#POSTERIOR_VARIANCE} scales by the DDPM posterior variance of the step
 * (exp of its log-variance, the classifier-guidance convention that MGLD-VSR's log-variance
 * scaling follows); it vanishes in the last step. {@link StepSize#CONSTANT} uses the scale alone.
 *
 * <p><b>What is measured.</b> By default ({@link Target#PREDICTED_X0}) the error is measured on
 * the step's predicted clean latents, not on the noisy ones: independent per-frame noise makes
 * noisy latents inconsistent whatever the content, and the previous window's latents are clean.
 * The gradient is then applied to the latents scaled by alpha of their noise level, since a change
 * d of x0 moves z_next by alpha_next d.
 *
 * <p>Immutable and thread-safe; per-window data lives in {@link GuidanceFlows}.
 */
public final class FlowGuidance {
    /** How the correction step grows with the noise level. */
    public enum StepSize {
        VARIANCE,
        POSTERIOR_VARIANCE,
        CONSTANT
    }

    /** Which latents the warping error is measured on. */
    public enum Target {
        PREDICTED_X0,
        LATENTS
    }

    /**
     * @param scale multiplies the step size; 0 turns guidance off. The default 0.05 moves a latent
     *     value by at most ~0.2 sigma_t^2 per step (the L1 gradient is a sum of a few signs), small
     *     against latents of unit spread
     */
    public record Config(double scale, StepSize stepSize, Target target) {
        public Config {
            Objects.requireNonNull(stepSize, "flowGuidance.stepSize");
            Objects.requireNonNull(target, "flowGuidance.target");
            if (!(scale >= 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("flowGuidance.scale must be a finite value >= 0, got " + scale);
            }
        }

        public static Config defaults() {
            return new Config(0.05, StepSize.VARIANCE, Target.PREDICTED_X0);
        }
    }

    /**
     * The previous window's last frame, for stitching across windows and segments.
     *
     * @param previousLatents its final latents, [C, h, w] at latent size
     * @param flows between its last frame (a) and this window's first frame (b), any resolution
     */
    public record Boundary(Tensor previousLatents, FlowPair flows) {
        public Boundary {
            Objects.requireNonNull(previousLatents, "previousLatents");
            Objects.requireNonNull(flows, "boundary flows");
            if (previousLatents.rank() != 3) {
                throw new IllegalArgumentException(
                        "previous window latents must be one frame [C, h, w], got " + previousLatents);
            }
        }
    }

    /** Flows and masks of one window at latent size, prepared once and used at every step. */
    public static final class GuidanceFlows {
        private final int height;
        private final int width;
        private final List<Link> links;
        private final Link boundary;
        private final Tensor previous;

        private GuidanceFlows(int height, int width, List<Link> links, Link boundary, Tensor previous) {
            this.height = height;
            this.width = width;
            this.links = List.copyOf(links);
            this.boundary = boundary;
            this.previous = previous;
        }

        public int frames() {
            return links.size() + 1;
        }

        public boolean hasBoundary() {
            return boundary != null;
        }
    }

    private record Link(FlowPair pair, Tensor forwardMask, Tensor backwardMask) {}

    /**
     * Eq. 13's value and its gradient with respect to the latents it was measured on.
     *
     * @param value E, including the boundary terms
     * @param boundaryValue the part of E from the boundary terms (0 without a boundary)
     * @param gradient dE/dZ, shaped like the latents
     */
    public record WarpError(double value, double boundaryValue, Tensor gradient) {}

    private final Config config;

    public FlowGuidance(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public Config config() {
        return config;
    }

    /**
     * Resizes frame-resolution flows to latent size h x w and computes their occlusion masks (at
     * frame resolution, where the flow is accurate, then resampled to soft [0, 1] weights).
     *
     * @param frameFlows one pair per adjacent frame pair of the window, T - 1 in all
     * @param boundary the previous window's link, or null for the first window of a stream
     */
    public static GuidanceFlows prepare(List<FlowPair> frameFlows, int h, int w, Boundary boundary) {
        List<Link> links = new ArrayList<>(frameFlows.size());
        for (FlowPair pair : frameFlows) {
            links.add(link(pair, h, w));
        }
        Link b = null;
        Tensor prev = null;
        if (boundary != null) {
            prev = boundary.previousLatents();
            if (prev.dim(1) != h || prev.dim(2) != w) {
                throw new IllegalArgumentException(
                        "previous window latents " + prev + " do not match latent size " + w + "x" + h);
            }
            b = link(boundary.flows(), h, w);
        }
        return new GuidanceFlows(h, w, links, b, prev);
    }

    private static Link link(FlowPair pair, int h, int w) {
        Tensor fm = Occlusion.mask(pair.forward(), pair.backward());
        Tensor bm = Occlusion.mask(pair.backward(), pair.forward());
        return new Link(pair.resize(h, w), resizeMask(fm, h, w), resizeMask(bm, h, w));
    }

    private static Tensor resizeMask(Tensor mask, int h, int w) {
        if (mask.dim(0) == h && mask.dim(1) == w) {
            return mask;
        }
        return Resize.bilinear(mask.reshape(1, mask.dim(0), mask.dim(1)), h, w).reshape(h, w);
    }

    /** Eq. 13 on latents [T, C, h, w] and its exact gradient. */
    public WarpError warpError(Tensor z, GuidanceFlows flows) {
        if (z.rank() != 4 || z.dim(0) != flows.frames() || z.dim(2) != flows.height || z.dim(3) != flows.width) {
            throw new IllegalArgumentException("flow guidance expects latents [" + flows.frames() + ", C, "
                    + flows.height + ", " + flows.width + "] for its flows, got " + z);
        }
        int frames = z.dim(0);
        int channels = z.dim(1);
        if (flows.boundary != null && flows.previous.dim(0) != channels) {
            throw new IllegalArgumentException(
                    "previous window latents " + flows.previous + " have another channel count than " + z);
        }
        // Warping, masks and L1 act on each channel alone, so channel groups are exact
        // sub-problems: run them in parallel and add their errors in a fixed order (deterministic).
        int groups = Math.max(1, Math.min(channels, Runtime.getRuntime().availableProcessors()));
        float[] grad = new float[z.size()];
        double[][] errors = new double[groups][];
        java.util.stream.IntStream.range(0, groups).parallel().forEach(g -> {
            int c0 = channels * g / groups;
            int c1 = channels * (g + 1) / groups;
            errors[g] = channelGroup(z, flows, c0, c1, grad);
        });
        double e = 0;
        double eb = 0;
        for (double[] ge : errors) {
            e += ge[0];
            eb += ge[1];
        }
        return new WarpError(e + eb, eb, new Tensor(grad, z.shape()));
    }

    /**
     * Eq. 13 restricted to channels [c0, c1): writes their gradient into {@code grad} (layout of z)
     * and returns {window error, boundary error}.
     */
    private static double[] channelGroup(Tensor z, GuidanceFlows flows, int c0, int c1, float[] grad) {
        int frames = z.dim(0);
        int channels = z.dim(1);
        int plane = flows.height * flows.width;
        int n = c1 - c0;
        Tensor[] zf = new Tensor[frames];
        Tensor[] gf = new Tensor[frames];
        for (int i = 0; i < frames; i++) {
            float[] d = new float[n * plane];
            System.arraycopy(z.data(), (i * channels + c0) * plane, d, 0, n * plane);
            zf[i] = new Tensor(d, n, flows.height, flows.width);
            gf[i] = Tensor.zeros(n, flows.height, flows.width);
        }
        Tensor warped = Tensor.zeros(n, flows.height, flows.width);
        Tensor sign = Tensor.zeros(n, flows.height, flows.width);
        double e = 0;
        for (int i = 0; i < frames - 1; i++) {
            Link l = flows.links.get(i);
            // f_b(Z^i) - Z^(i+1) on frame i+1's grid, then f_f(Z^(i+1)) - Z^i on frame i's grid.
            e += term(zf[i], zf[i + 1], l.pair().backward(), l.backwardMask(), warped, sign, gf[i], gf[i + 1]);
            e += term(zf[i + 1], zf[i], l.pair().forward(), l.forwardMask(), warped, sign, gf[i + 1], gf[i]);
        }
        double eb = 0;
        if (flows.boundary != null) {
            Link l = flows.boundary;
            float[] p = new float[n * plane];
            System.arraycopy(flows.previous.data(), c0 * plane, p, 0, n * plane);
            Tensor prev = new Tensor(p, n, flows.height, flows.width);
            eb += term(prev, zf[0], l.pair().backward(), l.backwardMask(), warped, sign, null, gf[0]);
            eb += term(zf[0], prev, l.pair().forward(), l.forwardMask(), warped, sign, gf[0], null);
        }
        for (int i = 0; i < frames; i++) {
            System.arraycopy(gf[i].data(), 0, grad, (i * channels + c0) * plane, n * plane);
        }
        return new double[] {e, eb};
    }

    /**
     * One masked L1 term |M (W src - dst)|_1; adds W^T (M sign r) to srcGrad and -(M sign r) to
     * dstGrad (either may be null for fixed data).
     */
    private static double term(
            Tensor src,
            Tensor dst,
            FlowField flow,
            Tensor mask,
            Tensor warped,
            Tensor sign,
            Tensor srcGrad,
            Tensor dstGrad) {
        Warp.backward(src, flow, warped);
        float[] wv = warped.data();
        float[] dv = dst.data();
        float[] m = mask.data();
        float[] s = sign.data();
        int plane = m.length;
        double e = 0;
        for (int i = 0; i < wv.length; i++) {
            float weight = m[i % plane];
            float r = wv[i] - dv[i];
            e += weight * Math.abs(r);
            s[i] = r > 0 ? weight : r < 0 ? -weight : 0;
        }
        if (dstGrad != null) {
            float[] g = dstGrad.data();
            for (int i = 0; i < s.length; i++) {
                g[i] -= s[i];
            }
        }
        if (srcGrad != null) {
            Warp.backwardAdjointAdd(sign, flow, srcGrad);
        }
        return e;
    }

    /** step(t) for a step from {@code timestep} to {@code nextTimestep}, before the alpha factor. */
    public double stepSize(NoiseSchedule schedule, int timestep, int nextTimestep) {
        return config.scale()
                * switch (config.stepSize()) {
                    case VARIANCE -> schedule.variance(timestep);
                    case POSTERIOR_VARIANCE -> {
                        double abT = schedule.alphaBar(timestep);
                        double abPrev = schedule.alphaBar(nextTimestep);
                        yield (1 - abPrev) / (1 - abT) * (1 - abT / abPrev);
                    }
                    case CONSTANT -> 1.0;
                };
    }

    /** latents -= step * gradient, in place. */
    public static void correct(Tensor latents, Tensor gradient, double step) {
        if (!latents.sameShape(gradient)) {
            throw new IllegalArgumentException("gradient " + gradient + " does not match latents " + latents);
        }
        float[] z = latents.data();
        float[] g = gradient.data();
        float s = (float) step;
        for (int i = 0; i < z.length; i++) {
            z[i] -= s * g[i];
        }
    }

    /** The sampler hook that applies Eq. 14 after every step for one window. */
    public StepHook hook(NoiseSchedule schedule, GuidanceFlows flows) {
        return state -> {
            double step = stepSize(schedule, state.timestep(), state.nextTimestep());
            if (step == 0) {
                return;
            }
            Tensor measured;
            if (config.target() == Target.PREDICTED_X0) {
                measured = state.predictedX0();
                step *= schedule.alpha(state.nextTimestep());
            } else {
                measured = state.latents();
            }
            correct(state.latents(), warpError(measured, flows).gradient(), step);
        };
    }
}
