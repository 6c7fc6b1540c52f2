package org.sdatc.enhancer.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nanoseconds spent per pipeline stage, in the order stages first ran. Stage names are a bounded
 * set ({@link Stage}) so they can be metric tags.
 */
public final class StageTimings {
    private final Map<Stage, Long> nanos = new LinkedHashMap<>();

    public void add(Stage stage, long elapsedNanos) {
        nanos.merge(stage, elapsedNanos, Long::sum);
    }

    public void addAll(StageTimings other) {
        other.nanos.forEach(this::add);
    }

    /** Times {@code work} and adds its duration to {@code stage}. */
    public <T> T time(Stage stage, java.util.function.Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            add(stage, System.nanoTime() - start);
        }
    }

    public Map<Stage, Long> asMap() {
        return Collections.unmodifiableMap(nanos);
    }
}
