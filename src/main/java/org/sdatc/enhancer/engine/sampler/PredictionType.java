package org.sdatc.enhancer.engine.sampler;

/** What the denoising network outputs for latents z_t = sqrt(abar) x0 + sqrt(1 - abar) eps. */
public enum PredictionType {
    /** The noise eps (paper Eq. 4's training objective). */
    EPSILON,
    /** v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans and Ho), used by SD 2.x 768 models. */
    V_PREDICTION,
    /** The clean sample x0 itself. */
    SAMPLE
}
