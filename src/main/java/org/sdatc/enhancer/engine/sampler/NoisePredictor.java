package org.sdatc.enhancer.engine.sampler;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * The denoising network (UNet + ControlNet + PCAM, conditioned on the window's condition latents)
 * as the sampler sees it: latents z_t in, raw output out, in the form given by the schedule's
 * {@link PredictionType}. Must not modify {@code latents}.
 */
@FunctionalInterface
public interface NoisePredictor {
    Tensor predict(Tensor latents, int timestep);
}
