package org.sdatc.enhancer.engine.sampler;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * What a {@link StepHook} sees after sampler step {@code step}: the step went from
 * {@code timestep} to {@code nextTimestep} ({@link NoiseSchedule#CLEAN} after the last step).
 *
 * @param step 0-based step index
 * @param steps total number of steps
 * @param timestep the timestep the network was evaluated at in this step
 * @param nextTimestep the noise level {@code latents} are now at
 * @param latents the new latents z_next; the hook may correct them in place
 * @param predictedX0 the network's clean estimate at {@code timestep}; read-only
 */
public record StepState(int step, int steps, int timestep, int nextTimestep, Tensor latents, Tensor predictedX0) {
    public boolean isLast() {
        return step == steps - 1;
    }
}
