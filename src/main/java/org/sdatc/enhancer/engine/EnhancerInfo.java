package org.sdatc.enhancer.engine;

/**
 * Identity of an enhancer as written into output segments and the model info metric.
 *
 * @param model model id, for example {@code bicubic} or {@code sdatc/sdatc-dcm-cpu@1}
 * @param scale upscaling factor (4 for SDATC)
 * @param steps denoising steps per window (0 for tiers without diffusion)
 * @param provider where inference runs: {@code java}, {@code cpu} or {@code cuda}
 * @param tier the quality tier these frames come from
 */
public record EnhancerInfo(String model, int scale, int steps, String provider, Tier tier) {}
