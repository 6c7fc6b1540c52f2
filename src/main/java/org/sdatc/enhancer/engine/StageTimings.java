package org.sdatc.enhancer.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nanoseconds spent per pipeline stage, in the order stages first ran, and how many times each
 * stage ran (a segment runs the engine's stages once per window, the UNet once per step). Stage
 * names are a bounded set ({@link Stage}) so they can be metric tags.
 */
public final class StageTimings {
    private final Map<Stage, Long> nanos = new LinkedHashMap<>();
    private final Map<Stage, Integer> calls = new LinkedHashMap<>();

    /** One run of {@code stage} that took {@code elapsedNanos}. */
    public void add(Stage stage, long elapsedNanos) {
        add(stage, elapsedNanos, 1);
    }

    private void add(Stage stage, long elapsedNanos, int count) {
        nanos.merge(stage, elapsedNanos, Long::sum);
        calls.merge(stage, count, Integer::sum);
    }

    public void addAll(StageTimings other) {
        other.nanos.forEach((stage, n) -> add(stage, n, other.calls.get(stage)));
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

    /** Total nanoseconds per stage. */
    public Map<Stage, Long> asMap() {
        return Collections.unmodifiableMap(nanos);
    }

    /** How many times {@code stage} ran (0 if never). */
    public int calls(Stage stage) {
        return calls.getOrDefault(stage, 0);
    }
}
