package org.sdatc.enhancer.engine.sampler;

/**
 * How n inference timesteps are picked among the T training timesteps 0..T-1, as in common
 * diffusion practice (the names and formulas of diffusers' {@code timestep_spacing}), for a
 * range of training timesteps [0, T') where T' = T for sampling from noise and T' = strength * T
 * when starting from noised latents.
 */
public enum TimestepSpacing {
    /** round(linspace(0, T'-1, n)), reversed; the first step is T'-1. */
    LINSPACE,
    /** floor(T'/n) * (n-1, ..., 0): DDIM's original choice; never reaches T'-1 (for n = 4 and T' = 1000 it starts at 750). */
    LEADING,
    /**
     * round(T' - k * T'/n) - 1 for k = 0..n-1: always starts at T'-1, so even one or four steps
     * begin at the noise level the start latents really have (Lin et al. 2024, "Common Diffusion
     * Noise Schedules and Sample Steps are Flawed"). This is the default.
     */
    TRAILING
}
