package org.sdatc.enhancer.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

class SamplerTest {
    private static final int[] SHAPE = {2, 4, 6, 5};

    /** Data concentrated on one point c: the exact network output for each prediction type. */
    private static NoisePredictor exactForPoint(NoiseSchedule schedule, Tensor c) {
        return (z, t) -> {
            double a = schedule.alpha(t);
            double s = schedule.sigma(t);
            float[] out = new float[z.size()];
            for (int i = 0; i < out.length; i++) {
                double eps = (z.data()[i] - a * c.data()[i]) / s;
                double x0 = c.data()[i];
                out[i] = (float)
                        switch (schedule.config().predictionType()) {
                            case EPSILON -> eps;
                            case V_PREDICTION -> a * eps - s * x0;
                            case SAMPLE -> x0;
                        };
            }
            return new Tensor(out, z.shape());
        };
    }

    private static Tensor point() {
        return GaussianNoise.sample(7, SHAPE);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 20, 50})
    void shouldReturnTheDataPointWithAnExactEpsilonPredictorForDdimAndDpmSolver(int steps) {
        for (PredictionType type : PredictionType.values()) {
            NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(type));
            Tensor c = point();
            int[] ts = schedule.timesteps(steps);
            Tensor start = GaussianNoise.sample(11, SHAPE);
            for (Sampler sampler : List.of(new DdimSampler(schedule, 0), new DpmSolverPlusPlus2M(schedule))) {
                Tensor out = sampler.sample(exactForPoint(schedule, c), start, ts, 1, StepHook.NONE);
                assertTrue(
                        Tensors.maxAbsDiff(out, c) < 1e-5,
                        sampler.getClass().getSimpleName() + " " + type + " " + steps + " steps missed c by "
                                + Tensors.maxAbsDiff(out, c));
            }
        }
    }

    @Test
    void shouldReturnTheDataPointWithVPredictionOnTheCosineSchedule() {
        NoiseSchedule schedule = new NoiseSchedule(new SchedulerConfig(
                1000, BetaSchedule.SQUAREDCOS_CAP_V2, 0, 0, PredictionType.V_PREDICTION, TimestepSpacing.TRAILING));
        Tensor c = point();
        for (int steps : new int[] {1, 4, 20, 50}) {
            Tensor out = new DpmSolverPlusPlus2M(schedule)
                    .sample(
                            exactForPoint(schedule, c),
                            GaussianNoise.sample(3, SHAPE),
                            schedule.timesteps(steps),
                            0,
                            StepHook.NONE);
            assertTrue(Tensors.maxAbsDiff(out, c) < 1e-5, "cosine v " + steps + " steps");
        }
    }

    /**
     * Gaussian data N(mu, s0^2): the exact denoiser is linear, and the probability-flow ODE keeps
     * (z_t - a_t mu) / sqrt(a_t^2 s0^2 + sigma_t^2) constant. Deterministic samplers must follow it
     * up to the last noisy timestep as steps grow; the second-order solver more closely than DDIM.
     */
    @Test
    void shouldFollowTheProbabilityFlowOfGaussianDataWithDpmSolverMoreAccuratelyThanDdim() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        double mu = 0.3;
        double s0 = 0.5;
        NoisePredictor exact = (z, t) -> {
            double a = schedule.alpha(t);
            double s = schedule.sigma(t);
            double gain = a * s0 * s0 / (a * a * s0 * s0 + s * s);
            float[] out = new float[z.size()];
            for (int i = 0; i < out.length; i++) {
                double x0 = mu + gain * (z.data()[i] - a * mu);
                out[i] = (float) ((z.data()[i] - a * x0) / s);
            }
            return new Tensor(out, z.shape());
        };
        Tensor start = GaussianNoise.sample(5, SHAPE);
        double[] errors = new double[4];
        int k = 0;
        for (int steps : new int[] {10, 50}) {
            int[] ts = schedule.timesteps(steps);
            int last = ts[steps - 1];
            double aT = schedule.alpha(ts[0]);
            double sT = schedule.sigma(ts[0]);
            double aL = schedule.alpha(last);
            double spreadL = Math.sqrt(aL * aL * s0 * s0 + schedule.variance(last));
            Tensor expected = start.copy();
            for (int i = 0; i < expected.size(); i++) {
                double standardized = (start.data()[i] - aT * mu) / Math.sqrt(aT * aT * s0 * s0 + sT * sT);
                expected.data()[i] = (float) (aL * mu + spreadL * standardized);
            }
            for (Sampler sampler : List.of(new DpmSolverPlusPlus2M(schedule), new DdimSampler(schedule, 0))) {
                Tensor[] atLast = new Tensor[1];
                sampler.sample(exact, start, ts, 0, s -> {
                    if (s.nextTimestep() == last) {
                        atLast[0] = s.latents().copy();
                    }
                });
                errors[k++] = Tensors.maxAbsDiff(atLast[0], expected);
            }
        }
        String report = "DPM++ 10, DDIM 10, DPM++ 50, DDIM 50 errors: " + Arrays.toString(errors);
        // Timestep grids are coarse in log-SNR near t = 0, so the last steps dominate the error.
        assertTrue(errors[2] < 1e-2, report);
        assertTrue(errors[3] < 6e-2, report);
        assertTrue(errors[0] * 5 < errors[1] && errors[2] * 5 < errors[3], report);
        assertTrue(errors[0] < errors[3], "DPM++ in 10 steps should beat DDIM in 50: " + report);
        assertTrue(errors[2] < errors[0] && errors[3] < errors[1], report);
    }

    @Test
    void shouldMakeStochasticDdimDeterministicForASeedAndDifferentForAnother() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        // A network that is not exact, so the injected noise shows in the result.
        NoisePredictor model = (z, t) -> {
            Tensor out = z.copy();
            for (int i = 0; i < out.size(); i++) {
                out.data()[i] = 0.5f * z.data()[i];
            }
            return out;
        };
        DdimSampler ddpm = new DdimSampler(schedule, 1.0);
        int[] ts = schedule.timesteps(10);
        Tensor start = GaussianNoise.sample(9, SHAPE);
        Tensor a = ddpm.sample(model, start, ts, 42, StepHook.NONE);
        Tensor b = ddpm.sample(model, start, ts, 42, StepHook.NONE);
        Tensor c = ddpm.sample(model, start, ts, 43, StepHook.NONE);
        assertArrayEquals(a.data(), b.data());
        assertTrue(Tensors.maxAbsDiff(a, c) > 1e-2, "another seed should change the sample");
    }

    @ParameterizedTest
    @ValueSource(strings = {"LINSPACE", "LEADING", "TRAILING"})
    void shouldGiveStrictlyDecreasingInRangeTimestepsOfTheRequestedCount(String spacing) {
        NoiseSchedule schedule = new NoiseSchedule(
                SchedulerConfig.stableDiffusion(PredictionType.EPSILON).withSpacing(TimestepSpacing.valueOf(spacing)));
        for (double strength : new double[] {1.0, 0.5}) {
            for (int steps = 1; steps <= 50; steps++) {
                int[] ts = schedule.timesteps(steps, strength);
                assertEquals(steps, ts.length);
                int top = (int) Math.round(strength * 1000) - 1;
                for (int i = 0; i < ts.length; i++) {
                    assertTrue(ts[i] >= 0 && ts[i] <= top, spacing + " " + Arrays.toString(ts));
                    assertTrue(i == 0 || ts[i] < ts[i - 1], spacing + " " + Arrays.toString(ts));
                }
            }
        }
    }

    @Test
    void shouldStartTrailingTimestepsAtTheTopSoFewStepSamplingBeginsFromNoise() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        assertArrayEquals(new int[] {999, 749, 499, 249}, schedule.timesteps(4));
        assertEquals(999, schedule.timesteps(1)[0]);
        assertEquals(499, schedule.timesteps(4, 0.5)[0]);
        NoiseSchedule leading = new NoiseSchedule(schedule.config().withSpacing(TimestepSpacing.LEADING));
        assertEquals(750, leading.timesteps(4)[0]);
    }

    @Test
    void shouldMatchStableDiffusionsPublishedAlphasCumprodEnds() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        // SD's beta_0 = 0.00085, and sqrt(abar_999) = 0.068265 (Lin et al. 2024, the non-zero terminal SNR).
        assertEquals(1 - 0.00085, schedule.alphaBar(0), 1e-9);
        assertEquals(0.068265, schedule.alpha(999), 1e-6);
        assertEquals(1 - schedule.alphaBar(500), schedule.variance(500), 1e-15);
    }

    @Test
    void shouldCallTheHookOnceAfterEveryStepAndKeepItsCorrections() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        Tensor c = point();
        List<Integer> seen = new ArrayList<>();
        StepHook shiftLast = s -> {
            seen.add(s.timestep());
            if (s.isLast()) {
                s.latents().data()[0] += 1f;
            }
        };
        int[] ts = schedule.timesteps(5);
        Tensor out = new DdimSampler(schedule, 0).sample(exactForPoint(schedule, c), point(), ts, 0, shiftLast);
        assertEquals(Arrays.stream(ts).boxed().toList(), seen);
        assertEquals(c.data()[0] + 1f, out.data()[0], 1e-5);
    }

    @Test
    void shouldNoiseConditionLatentsToTheFirstTimestepReproducibly() {
        NoiseSchedule schedule = new NoiseSchedule(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        Tensor cond = point();
        Tensor a = schedule.noised(cond, 999, 123);
        assertArrayEquals(a.data(), schedule.noised(cond, 999, 123).data());
        assertFalse(Arrays.equals(a.data(), schedule.noised(cond, 999, 124).data()));
    }
}
