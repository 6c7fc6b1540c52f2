package org.sdatc.enhancer.engine.sampler;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * DDIM (Song et al. 2021): z_prev = alpha_prev x0 + sqrt(1 - abar_prev - s^2) eps + s noise with
 * s = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev). eta = 0 is the
 * deterministic sampler; eta = 1 matches DDPM's posterior variance (the paper's Eq. 4 sampling).
 * The last step goes to the clean sample (abar = 1), so the result is the final x0 estimate.
 */
public final class DdimSampler implements Sampler {
    private final NoiseSchedule schedule;
    private final double eta;

    public DdimSampler(NoiseSchedule schedule, double eta) {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("DDIM eta must be in [0, 1], got " + eta);
        }
        this.schedule = schedule;
        this.eta = eta;
    }

    public double eta() {
        return eta;
    }

    @Override
    public Tensor sample(NoisePredictor model, Tensor start, int[] timesteps, long seed, StepHook hook) {
        Sampler.checkTimesteps(schedule, timesteps);
        Tensor z = start.copy();
        Tensor x0 = Tensor.zeros(start.shape());
        Tensor eps = Tensor.zeros(start.shape());
        Tensor noise = eta > 0 ? Tensor.zeros(start.shape()) : null;
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i];
            int next = i + 1 < timesteps.length ? timesteps[i + 1] : NoiseSchedule.CLEAN;
            schedule.split(model.predict(z, t), z, t, x0, eps);
            double abT = schedule.alphaBar(t);
            double abPrev = schedule.alphaBar(next);
            double s = eta * Math.sqrt((1 - abPrev) / (1 - abT)) * Math.sqrt(1 - abT / abPrev);
            double dirScale = Math.sqrt(Math.max(0, 1 - abPrev - s * s));
            double a = Math.sqrt(abPrev);
            float[] zd = z.data();
            float[] xd = x0.data();
            float[] ed = eps.data();
            if (s > 0) {
                GaussianNoise.fill(GaussianNoise.derive(seed, i), noise.data());
                float[] nd = noise.data();
                for (int k = 0; k < zd.length; k++) {
                    zd[k] = (float) (a * xd[k] + dirScale * ed[k] + s * nd[k]);
                }
            } else {
                for (int k = 0; k < zd.length; k++) {
                    zd[k] = (float) (a * xd[k] + dirScale * ed[k]);
                }
            }
            hook.afterStep(new StepState(i, timesteps.length, t, next, z, x0));
        }
        return z;
    }
}
