package org.sdatc.enhancer.engine.budget;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each rung costs at each input resolution, in milliseconds per frame: exponentially weighted
 * moving averages of the time measured at run time, so the ladder follows the hardware and its
 * load. Besides the rungs, one "overhead" average per resolution covers what every rung pays
 * (encoding). Shared by all stream threads; updates are atomic per key.
 */
public final class RungCosts {
    /** Weight of the newest observation. */
    public static final double ALPHA = 0.3;

    private record Key(int width, int height, Rung rung) {}

    private final Map<Key, Double> perFrame = new ConcurrentHashMap<>();

    /** Whether any rung has been measured at this resolution (if not, the caller warms up). */
    public boolean known(int width, int height, Rung rung) {
        return perFrame.containsKey(new Key(width, height, rung));
    }

    public OptionalDouble msPerFrame(int width, int height, Rung rung) {
        Double v = perFrame.get(new Key(width, height, rung));
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Milliseconds per frame every rung pays on top of its own (null rung key). */
    public double overheadMsPerFrame(int width, int height) {
        Double v = perFrame.get(new Key(width, height, null));
        return v == null ? 0 : v;
    }

    public void observe(int width, int height, Rung rung, double msPerFrame) {
        put(new Key(width, height, rung), msPerFrame);
    }

    public void observeOverhead(int width, int height, double msPerFrame) {
        put(new Key(width, height, null), msPerFrame);
    }

    private void put(Key key, double msPerFrame) {
        if (!(msPerFrame >= 0) || Double.isInfinite(msPerFrame)) {
            throw new IllegalArgumentException("cost must be a finite non-negative ms per frame, got " + msPerFrame);
        }
        perFrame.merge(key, msPerFrame, (old, now) -> old + ALPHA * (now - old));
    }
}
