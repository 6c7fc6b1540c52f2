package org.sdatc.enhancer.engine.sampler;

import java.util.Objects;
import java.util.stream.IntStream;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * The forward process of paper Eq. 1-3 in closed form: abar_t (alphas_cumprod), alpha_t =
 * sqrt(abar_t), sigma_t = sqrt(1 - abar_t), the inference timesteps, and the conversions between
 * the network's raw output and (x0, eps). Immutable and thread-safe.
 *
 * <p>Timestep {@link #CLEAN} (-1) stands for the clean sample after the last step: abar = 1,
 * sigma = 0. Samplers step to it at the end, so their result is the model's final x0 estimate.
 */
public final class NoiseSchedule {
    /** The pseudo-timestep after the last step: no noise left. */
    public static final int CLEAN = -1;

    private final SchedulerConfig config;
    private final double[] alphasCumprod;

    public NoiseSchedule(SchedulerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        int n = config.trainTimesteps();
        double[] betas = new double[n];
        switch (config.betaSchedule()) {
            case LINEAR -> {
                for (int i = 0; i < n; i++) {
                    betas[i] = config.betaStart() + (config.betaEnd() - config.betaStart()) * i / (n - 1);
                }
            }
            case SCALED_LINEAR -> {
                double s0 = Math.sqrt(config.betaStart());
                double s1 = Math.sqrt(config.betaEnd());
                for (int i = 0; i < n; i++) {
                    double s = s0 + (s1 - s0) * i / (n - 1);
                    betas[i] = s * s;
                }
            }
            case SQUAREDCOS_CAP_V2 -> {
                for (int i = 0; i < n; i++) {
                    betas[i] = Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
                }
            }
        }
        alphasCumprod = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++) {
            prod *= 1 - betas[i];
            alphasCumprod[i] = prod;
        }
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    public SchedulerConfig config() {
        return config;
    }

    public int trainTimesteps() {
        return alphasCumprod.length;
    }

    /** A copy of abar_0 .. abar_{T-1}. */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** abar_t; 1 for {@link #CLEAN}. */
    public double alphaBar(int t) {
        if (t == CLEAN) {
            return 1.0;
        }
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException(
                    "timestep " + t + " is outside the schedule's range 0.." + (alphasCumprod.length - 1));
        }
        return alphasCumprod[t];
    }

    /** alpha_t = sqrt(abar_t), the signal scale. */
    public double alpha(int t) {
        return Math.sqrt(alphaBar(t));
    }

    /** sigma_t = sqrt(1 - abar_t), the noise scale. */
    public double sigma(int t) {
        return Math.sqrt(1 - alphaBar(t));
    }

    /** sigma_t^2 = 1 - abar_t, the variance that scales flow guidance in paper Eq. 14. */
    public double variance(int t) {
        return 1 - alphaBar(t);
    }

    /** The inference timesteps for sampling from pure noise, with the config's spacing. */
    public int[] timesteps(int steps) {
        return timesteps(steps, 1.0);
    }

    /**
     * The inference timesteps when starting from latents noised to a fraction {@code strength} of
     * the schedule (img2img). Unlike diffusers, which runs only steps * strength of the steps, this
     * always runs exactly {@code steps} steps spread over training timesteps [0, strength * T):
     * with the few steps a live service can afford, every step counts.
     *
     * @return strictly decreasing timesteps, the first one at which the start latents are noised
     */
    public int[] timesteps(int steps, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("sampler strength must be in (0, 1], got " + strength);
        }
        int range = (int) Math.round(strength * alphasCumprod.length);
        if (steps < 1 || steps > range) {
            throw new IllegalArgumentException("sampler steps must be in 1.." + range + " for strength " + strength
                    + " and " + alphasCumprod.length + " training timesteps, got " + steps);
        }
        int[] ts = new int[steps];
        switch (config.spacing()) {
            case LINSPACE -> {
                for (int k = 0; k < steps; k++) {
                    // One step has no linspace; start it at the top like the other spacings do.
                    ts[k] = steps == 1
                            ? range - 1
                            : (int) Math.rint((range - 1) * (double) (steps - 1 - k) / (steps - 1));
                }
            }
            case LEADING -> {
                int ratio = range / steps;
                for (int k = 0; k < steps; k++) {
                    ts[k] = (steps - 1 - k) * ratio;
                }
            }
            case TRAILING -> {
                double ratio = (double) range / steps;
                for (int k = 0; k < steps; k++) {
                    ts[k] = (int) Math.rint(range - k * ratio) - 1;
                }
            }
        }
        return ts;
    }

    /** z_t = alpha_t x0 + sigma_t noise (paper Eq. 2) as a new tensor. */
    public Tensor addNoise(Tensor x0, Tensor noise, int t) {
        if (!x0.sameShape(noise)) {
            throw new IllegalArgumentException("addNoise needs noise shaped like the latents " + x0 + ", got " + noise);
        }
        double a = alpha(t);
        double s = sigma(t);
        float[] x = x0.data();
        float[] e = noise.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (a * x[i] + s * e[i]);
        }
        return new Tensor(out, x0.shape());
    }

    /** The condition latents noised to timestep t with seeded noise: the engine's default start. */
    public Tensor noised(Tensor x0, int t, long seed) {
        return addNoise(x0, GaussianNoise.sample(seed, x0.shape()), t);
    }

    /**
     * Splits the network's raw output at (z_t, t) into the predicted clean sample and noise, per
     * the config's prediction type; either output may be null if not needed.
     */
    public void split(Tensor modelOutput, Tensor z, int t, Tensor x0Out, Tensor epsOut) {
        if (!modelOutput.sameShape(z)) {
            throw new IllegalArgumentException(
                    "the noise predictor returned " + modelOutput + " for latents " + z + " at timestep " + t);
        }
        double a = alpha(t);
        double s = sigma(t);
        float[] m = modelOutput.data();
        float[] zd = z.data();
        float[] x0 = x0Out == null ? null : x0Out.data();
        float[] eps = epsOut == null ? null : epsOut.data();
        PredictionType type = config.predictionType();
        IntStream.range(0, (zd.length + 8191) / 8192).parallel().forEach(chunk -> {
            int end = Math.min(zd.length, (chunk + 1) * 8192);
            for (int i = chunk * 8192; i < end; i++) {
                double zi = zd[i];
                double mi = m[i];
                double xi;
                double ei;
                switch (type) {
                    case EPSILON -> {
                        ei = mi;
                        xi = (zi - s * mi) / a;
                    }
                    case V_PREDICTION -> {
                        xi = a * zi - s * mi;
                        ei = a * mi + s * zi;
                    }
                    default -> {
                        xi = mi;
                        ei = (zi - a * mi) / s;
                    }
                }
                if (x0 != null) {
                    x0[i] = (float) xi;
                }
                if (eps != null) {
                    eps[i] = (float) ei;
                }
            }
        });
    }
}
