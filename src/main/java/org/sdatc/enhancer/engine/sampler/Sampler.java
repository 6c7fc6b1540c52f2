package org.sdatc.enhancer.engine.sampler;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * A reverse-process solver. Implementations are immutable and thread-safe; all per-call state
 * lives in the call.
 *
 * <p>Typical use, starting from the condition latents noised to the first timestep:
 *
 * <pre>{@code
 * int[] ts = schedule.timesteps(steps);               // or timesteps(steps, strength)
 * Tensor z = schedule.noised(condition, ts[0], id.seed());  // or GaussianNoise.sample(seed, shape)
 * Tensor x0 = sampler.sample(unet, z, ts, id.seed(), guidanceHook);
 * }</pre>
 */
public interface Sampler {
    /**
     * Runs the reverse process from {@code start} (latents at noise level {@code timesteps[0]})
     * through every timestep to the clean sample.
     *
     * @param model the network
     * @param start latents at timesteps[0]; not modified
     * @param timesteps strictly decreasing timesteps, as from {@link NoiseSchedule#timesteps}
     * @param seed seeds any noise the solver injects (DDIM with eta > 0)
     * @param hook called after every step; {@link StepHook#NONE} for none
     * @return the final clean latents (a new tensor)
     */
    Tensor sample(NoisePredictor model, Tensor start, int[] timesteps, long seed, StepHook hook);

    /** Rejects timesteps a sampler cannot follow, naming the offending entry. */
    static void checkTimesteps(NoiseSchedule schedule, int[] timesteps) {
        if (timesteps.length == 0) {
            throw new IllegalArgumentException("sampler needs at least one timestep");
        }
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i];
            if (t < 0 || t >= schedule.trainTimesteps()) {
                throw new IllegalArgumentException(
                        "timestep[" + i + "] = " + t + " is outside 0.." + (schedule.trainTimesteps() - 1));
            }
            if (i > 0 && t >= timesteps[i - 1]) {
                throw new IllegalArgumentException("timesteps must decrease strictly, but timestep[" + i + "] = " + t
                        + " follows " + timesteps[i - 1]);
            }
        }
    }
}
