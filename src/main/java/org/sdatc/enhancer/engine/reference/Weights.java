package org.sdatc.enhancer.engine.reference;

import java.util.Random;
import java.util.Set;

/**
 * Seeded weight initialisation for reference models. Every tensor is drawn from a generator seeded
 * by (model seed, tensor name), so a model is byte-for-byte reproducible and one tensor's values do
 * not depend on how many tensors were drawn before it.
 *
 * <p>Zero-initialised and identity-initialised tensors (ControlNet's zero convolutions, identity
 * residuals) are what make the reference model return bicubic at init. {@code perturbed} names
 * prefixes of such tensors that get random values instead: tests use it to prove that each branch
 * is wired into the graph, because perturbing it must change the output.
 */
public final class Weights {
    private final long seed;
    private final Set<String> perturbed;

    public Weights(long seed, Set<String> perturbed) {
        this.seed = seed;
        this.perturbed = Set.copyOf(perturbed);
    }

    public long seed() {
        return seed;
    }

    private Random rng(String name) {
        return new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }

    public boolean isPerturbed(String name) {
        return perturbed.stream().anyMatch(name::startsWith);
    }

    /** Gaussian with the given standard deviation. */
    public float[] gaussian(String name, int n, double std) {
        Random r = rng(name);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        return w;
    }

    /** He (Kaiming) normal initialisation for a layer followed by a ReLU-like activation. */
    public float[] he(String name, int n, int fanIn) {
        return gaussian(name, n, Math.sqrt(2.0 / fanIn));
    }

    /** Xavier (Glorot) normal initialisation for linear projections. */
    public float[] xavier(String name, int n, int fanIn, int fanOut) {
        return gaussian(name, n, Math.sqrt(2.0 / (fanIn + fanOut)));
    }

    /** A zero-initialised tensor (zero convolution), random when perturbed. */
    public float[] zero(String name, int n, int fanIn) {
        return isPerturbed(name) ? gaussian(name, n, 1.0 / Math.sqrt(fanIn)) : new float[n];
    }

    /** An identity-initialised tensor; perturbed, it gets noise of the given scale added. */
    public float[] identity(String name, float[] identity, double noise) {
        float[] w = identity.clone();
        if (isPerturbed(name)) {
            float[] d = gaussian(name, w.length, noise);
            for (int i = 0; i < w.length; i++) {
                w[i] += d[i];
            }
        }
        return w;
    }

    public static float[] filled(int n, float value) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, value);
        return w;
    }

    /** A random orthogonal n x n matrix (row-major), from Gram-Schmidt on a Gaussian matrix. */
    public float[] orthogonal(String name, int n) {
        Random r = rng(name);
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = r.nextGaussian();
            }
            // Twice-applied Gram-Schmidt keeps the rows orthonormal to double precision.
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        dot += q[i][j] * q[k][j];
                    }
                    for (int j = 0; j < n; j++) {
                        q[i][j] -= dot * q[k][j];
                    }
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += q[i][j] * q[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < n; j++) {
                q[i][j] /= norm;
            }
        }
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] = (float) q[i][j];
            }
        }
        return w;
    }
}
