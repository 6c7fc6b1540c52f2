package org.sdatc.enhancer.engine.sampler;

/**
 * Called by a {@link Sampler} after every step; may correct {@link StepState#latents()} in place.
 * This is where flow-guided latent correction (paper Eq. 13-14) plugs in.
 */
@FunctionalInterface
public interface StepHook {
    StepHook NONE = state -> {};

    void afterStep(StepState state);
}
