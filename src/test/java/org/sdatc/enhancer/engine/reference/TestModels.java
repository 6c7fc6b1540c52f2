package org.sdatc.enhancer.engine.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.sdatc.enhancer.tensor.Tensor;

/** Shared fixtures: the reference-tiny directory (generated once under target/), directory copies and random data. */
public final class TestModels {
    private TestModels() {}

    public static final Path CACHE = Path.of("target", "test-models");

    public static Path tiny() {
        return ReferenceModels.ensure(ReferenceProfile.tiny(), CACHE);
    }

    /** Copies the directory {@code src} with everything below it to {@code dst} (a model directory to break). */
    public static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path target = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    public static Tensor uniform(long seed, float lo, float hi, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * r.nextFloat();
        }
        return t;
    }

    public static float maxAbsDiff(Tensor a, Tensor b) {
        if (!a.sameShape(b)) {
            throw new AssertionError("shapes differ: " + a + " vs " + b);
        }
        float m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
        }
        return m;
    }
}
