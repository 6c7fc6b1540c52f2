package org.sdatc.enhancer.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.tensor.Tensor;

class GaussianNoiseTest {
    @Test
    void shouldGiveTheSameBitsForOneSeedAcrossThreads() {
        long seed = new WindowId("cam-1", 17, 2).seed();
        float[] reference = GaussianNoise.sample(seed, 4, 64, 64).data();
        var futures = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> GaussianNoise.sample(seed, 4, 64, 64)))
                .toList();
        for (var f : futures) {
            assertArrayEquals(reference, f.join().data());
        }
    }

    @Test
    void shouldBeStandardNormal() {
        Tensor t = GaussianNoise.sample(99, 1_000_001);
        double sum = 0;
        double sq = 0;
        int beyond2 = 0;
        for (float v : t.data()) {
            sum += v;
            sq += v * v;
            beyond2 += Math.abs(v) > 2 ? 1 : 0;
        }
        double n = t.size();
        assertEquals(0, sum / n, 5e-3);
        assertEquals(1, sq / n, 5e-3);
        assertEquals(0.0455, beyond2 / n, 2e-3);
    }

    @Test
    void shouldMakeDerivedStreamsUncorrelated() {
        Tensor a = GaussianNoise.sample(GaussianNoise.derive(5, 0), 100_000);
        Tensor b = GaussianNoise.sample(GaussianNoise.derive(5, 1), 100_000);
        double dot = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.data()[i] * b.data()[i];
        }
        assertTrue(Math.abs(dot / a.size()) < 0.02, "correlation " + dot / a.size());
    }
}
