package org.sdatc.enhancer.engine.sampler;

import java.util.Objects;

/**
 * The noise schedule of the model the sampler drives: it must match the schedule the UNet was
 * trained with (the values are in the model's scheduler config).
 *
 * @param trainTimesteps T, the number of training timesteps (1000 for Stable Diffusion)
 * @param betaSchedule how betas grow with t
 * @param betaStart beta_1 (ignored by {@link BetaSchedule#SQUAREDCOS_CAP_V2})
 * @param betaEnd beta_T (ignored by {@link BetaSchedule#SQUAREDCOS_CAP_V2})
 * @param predictionType what the network outputs
 * @param spacing how inference timesteps are spread
 */
public record SchedulerConfig(
        int trainTimesteps,
        BetaSchedule betaSchedule,
        double betaStart,
        double betaEnd,
        PredictionType predictionType,
        TimestepSpacing spacing) {

    public SchedulerConfig {
        Objects.requireNonNull(betaSchedule, "scheduler.betaSchedule");
        Objects.requireNonNull(predictionType, "scheduler.predictionType");
        Objects.requireNonNull(spacing, "scheduler.spacing");
        if (trainTimesteps < 2) {
            throw new IllegalArgumentException("scheduler.trainTimesteps must be >= 2, got " + trainTimesteps);
        }
        if (betaSchedule != BetaSchedule.SQUAREDCOS_CAP_V2 && !(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
            throw new IllegalArgumentException(
                    "scheduler.betaStart/betaEnd must satisfy 0 < betaStart <= betaEnd < 1, got " + betaStart + " and "
                            + betaEnd);
        }
    }

    /**
     * Stable Diffusion's schedule (SD 1.x/2.x base, StableSR, MGLD-VSR): T = 1000, scaled linear
     * 0.00085..0.012, with the given prediction type and trailing spacing.
     */
    public static SchedulerConfig stableDiffusion(PredictionType predictionType) {
        return new SchedulerConfig(
                1000, BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, predictionType, TimestepSpacing.TRAILING);
    }

    public SchedulerConfig withSpacing(TimestepSpacing newSpacing) {
        return new SchedulerConfig(trainTimesteps, betaSchedule, betaStart, betaEnd, predictionType, newSpacing);
    }
}
