package org.sdatc.enhancer.engine.sampler;

import java.util.stream.IntStream;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Standard normal noise as a pure function of (seed, element index): a counter-based generator
 * (SplitMix64 finaliser over seed and counter, Box-Muller with {@link StrictMath}). There is no
 * generator state, so the same seed gives the same bits on every run, thread, core count and JVM,
 * and large tensors are filled in parallel. Seeds come from {@code WindowId.seed()}, so a segment
 * reprocessed after a crash is enhanced identically.
 */
public final class GaussianNoise {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private static final int CHUNK = 1 << 14;

    private GaussianNoise() {}

    /** A new tensor of the given shape filled with N(0, 1) noise from {@code seed}. */
    public static Tensor sample(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        fill(seed, t.data());
        return t;
    }

    /** Overwrites {@code dst} with N(0, 1) noise; element i depends only on (seed, i). */
    public static void fill(long seed, float[] dst) {
        int pairs = (dst.length + 1) / 2;
        int chunks = (pairs + CHUNK - 1) / CHUNK;
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            int end = Math.min(pairs, (ch + 1) * CHUNK);
            for (int p = ch * CHUNK; p < end; p++) {
                long h1 = mix(seed + GOLDEN * (2L * p + 1));
                long h2 = mix(seed + GOLDEN * (2L * p + 2));
                // 53-bit uniforms; u1 in (0, 1] so the logarithm is finite.
                double u1 = ((h1 >>> 11) + 1) * 0x1.0p-53;
                double u2 = (h2 >>> 11) * 0x1.0p-53;
                double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
                double a = 2.0 * Math.PI * u2;
                dst[2 * p] = (float) (r * StrictMath.cos(a));
                if (2 * p + 1 < dst.length) {
                    dst[2 * p + 1] = (float) (r * StrictMath.sin(a));
                }
            }
        });
    }

    /** An independent seed for sub-stream {@code stream} of {@code seed} (for example one per sampler step). */
    public static long derive(long seed, long stream) {
        return mix(mix(seed ^ 0x5851f42d4c957f2dL) + GOLDEN * (stream + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
