package org.sdatc.enhancer.engine;

/**
 * Identity of an enhancer as written into output segments and the model info metric.
 *
 * @param model model id, for example {@code bicubic} or {@code sdatc/reference-tiny@1}
 * @param scale upscaling factor (4 for SDATC)
 * @param steps denoising steps per window (0 for non-diffusion enhancers)
 * @param provider where inference runs: {@code java}, {@code cpu} or {@code cuda}
 */
public record EnhancerInfo(String model, int scale, int steps, String provider) {}
