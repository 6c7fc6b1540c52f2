package org.sdatc.enhancer.engine.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.flow.FlowGuidance.Boundary;
import org.sdatc.enhancer.engine.flow.FlowGuidance.Config;
import org.sdatc.enhancer.engine.flow.FlowGuidance.GuidanceFlows;
import org.sdatc.enhancer.engine.flow.FlowGuidance.StepSize;
import org.sdatc.enhancer.engine.flow.FlowGuidance.Target;
import org.sdatc.enhancer.engine.sampler.GaussianNoise;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

class FlowGuidanceTest {
    private static final int C = 4;
    private static final int H = 24;
    private static final int W = 32;
    private static final float SX = 1.5f;
    private static final float SY = 0.75f;

    /** A smooth texture moved by (SX, SY) per frame: frame i is P(x - i s), so flows are known. */
    private static float pattern(int c, double x, double y) {
        return (float) (Math.sin(0.45 * x + c) * Math.cos(0.35 * y - c) + 0.5 * Math.sin(0.2 * (x + y) + 2 * c));
    }

    private static Tensor clip(int frames, int firstIndex) {
        Tensor t = Tensor.zeros(frames, C, H, W);
        for (int f = 0; f < frames; f++) {
            int k = f + firstIndex;
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        t.data()[((f * C + c) * H + y) * W + x] = pattern(c, x - k * SX, y - k * SY);
                    }
                }
            }
        }
        return t;
    }

    private static List<FlowPair> knownFlows(int frames, int scale) {
        // Flows at "frame" resolution (scale x latent size), as a flow source would give them.
        List<FlowPair> pairs = new ArrayList<>();
        for (int i = 0; i < frames - 1; i++) {
            pairs.add(new FlowPair(
                    FlowField.uniform(H * scale, W * scale, SX * scale, SY * scale),
                    FlowField.uniform(H * scale, W * scale, -SX * scale, -SY * scale)));
        }
        return pairs;
    }

    private static Tensor plusNoise(Tensor t, long seed, float level) {
        Tensor n = GaussianNoise.sample(seed, t.shape());
        Tensor out = t.copy();
        for (int i = 0; i < out.size(); i++) {
            out.data()[i] += level * n.data()[i];
        }
        return out;
    }

    @Test
    void shouldMatchACentralDifferenceGradientAwayFromL1Kinks() {
        int frames = 3;
        int h = 10;
        int w = 12;
        List<FlowPair> pairs = new ArrayList<>();
        for (int i = 0; i < frames - 1; i++) {
            pairs.add(new FlowPair(WarpTest.randomFlow(10 + i, h, w, 1.3f), WarpTest.randomFlow(20 + i, h, w, 1.3f)));
        }
        Tensor prev = GaussianNoise.sample(30, 2, h, w);
        Boundary boundary = new Boundary(
                prev, new FlowPair(WarpTest.randomFlow(31, h, w, 1.3f), WarpTest.randomFlow(32, h, w, 1.3f)));
        GuidanceFlows flows = FlowGuidance.prepare(pairs, h, w, boundary);
        FlowGuidance guidance = new FlowGuidance(Config.defaults());
        Tensor z = GaussianNoise.sample(40, frames, 2, h, w);
        FlowGuidance.WarpError e = guidance.warpError(z, flows);
        assertTrue(e.value() > 0 && e.boundaryValue() > 0, "the test must exercise the masked terms: " + e.value());
        double eps = 1e-3;
        int checked = 0;
        int nonZero = 0;
        for (int k = 0; k < 60; k++) {
            int idx = (int) ((k * 2654435761L) % z.size());
            float orig = z.data()[idx];
            z.data()[idx] = (float) (orig + eps);
            double plus = guidance.warpError(z, flows).value();
            z.data()[idx] = (float) (orig - eps);
            double minus = guidance.warpError(z, flows).value();
            z.data()[idx] = orig;
            double base = guidance.warpError(z, flows).value();
            double fwd = (plus - base) / eps;
            double bwd = (base - minus) / eps;
            if (Math.abs(fwd - bwd) > 1e-2) {
                continue; // a residual crosses zero within eps: L1 has a kink here
            }
            double numeric = (plus - minus) / (2 * eps);
            assertEquals(numeric, e.gradient().data()[idx], 2e-2, "element " + idx);
            checked++;
            nonZero += Math.abs(numeric) > 0.1 ? 1 : 0;
        }
        assertTrue(checked >= 45, "too few smooth points checked: " + checked);
        assertTrue(nonZero >= 10, "gradient should be non-trivial at many points: " + nonZero);
    }

    @Test
    void shouldLowerTheWarpingErrorOfANoisyClipWithKnownMotion() {
        int frames = 5;
        Tensor truth = clip(frames, 0);
        Tensor z = plusNoise(truth, 7, 0.3f);
        GuidanceFlows flows = FlowGuidance.prepare(knownFlows(frames, 2), H, W, null);
        FlowGuidance guidance = new FlowGuidance(new Config(0.01, StepSize.CONSTANT, Target.LATENTS));
        double before = guidance.warpError(z, flows).value();
        double distBefore = Tensors.l1Distance(z, truth);
        for (int i = 0; i < 20; i++) {
            FlowGuidance.correct(z, guidance.warpError(z, flows).gradient(), 0.01);
        }
        double after = guidance.warpError(z, flows).value();
        assertTrue(after < 0.6 * before, "warping error " + before + " -> " + after);
        // Averaging along true motion removes independent noise: frames also get closer to the truth.
        assertTrue(Tensors.l1Distance(z, truth) < 0.9 * distBefore, "distance to the clean clip should drop");
    }

    @Test
    void shouldLowerTheErrorAcrossTheWindowBoundaryWhenThePreviousWindowIsGiven() {
        int frames = 5;
        Tensor previousLast = Tensors.frame(clip(1, -1), 0);
        Tensor z = plusNoise(clip(frames, 0), 8, 0.3f);
        FlowPair seam = knownFlows(2, 2).get(0);
        Boundary boundary = new Boundary(previousLast, seam);
        GuidanceFlows withPrev = FlowGuidance.prepare(knownFlows(frames, 2), H, W, boundary);
        GuidanceFlows without = FlowGuidance.prepare(knownFlows(frames, 2), H, W, null);
        FlowGuidance guidance = new FlowGuidance(new Config(0.01, StepSize.CONSTANT, Target.LATENTS));

        Tensor a = z.copy();
        Tensor b = z.copy();
        for (int i = 0; i < 20; i++) {
            FlowGuidance.correct(a, guidance.warpError(a, withPrev).gradient(), 0.01);
            FlowGuidance.correct(b, guidance.warpError(b, without).gradient(), 0.01);
        }
        double seamBefore = guidance.warpError(z, withPrev).boundaryValue();
        double seamWith = guidance.warpError(a, withPrev).boundaryValue();
        double seamWithout = guidance.warpError(b, withPrev).boundaryValue();
        assertTrue(seamWith < 0.6 * seamBefore, "seam error " + seamBefore + " -> " + seamWith);
        assertTrue(
                seamWith < 0.8 * seamWithout,
                "stitching should beat in-window guidance alone at the seam: " + seamWith + " vs " + seamWithout);
    }

    @Test
    void shouldScaleStepsByThePapersVarianceByDefault() {
        var schedule = new org.sdatc.enhancer.engine.sampler.NoiseSchedule(
                org.sdatc.enhancer.engine.sampler.SchedulerConfig.stableDiffusion(
                        org.sdatc.enhancer.engine.sampler.PredictionType.EPSILON));
        FlowGuidance g = new FlowGuidance(Config.defaults());
        assertEquals(0.05 * schedule.variance(249), g.stepSize(schedule, 249, -1), 1e-12);
        FlowGuidance mgld = new FlowGuidance(new Config(0.05, StepSize.POSTERIOR_VARIANCE, Target.PREDICTED_X0));
        assertEquals(0, mgld.stepSize(schedule, 249, -1), 1e-12);
        assertTrue(mgld.stepSize(schedule, 999, 749) > 0);
    }
}
