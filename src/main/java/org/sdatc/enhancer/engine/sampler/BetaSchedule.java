package org.sdatc.enhancer.engine.sampler;

/** How the per-step noise variances beta_1..beta_T of the forward process (paper Eq. 1) grow. */
public enum BetaSchedule {
    /** beta linear in t from betaStart to betaEnd (DDPM). */
    LINEAR,
    /** sqrt(beta) linear in t (Stable Diffusion, StableSR: 0.00085 .. 0.012). */
    SCALED_LINEAR,
    /**
     * The cosine schedule of Nichol and Dhariwal (abar(t) = cos^2(((t/T)+s)/(1+s) * pi/2), s = 0.008),
     * betas capped at 0.999; betaStart and betaEnd are ignored.
     */
    SQUAREDCOS_CAP_V2
}
