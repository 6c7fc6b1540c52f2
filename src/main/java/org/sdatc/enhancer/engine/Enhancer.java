package org.sdatc.enhancer.engine;

/**
 * Turns one window of low-resolution frames into enhanced frames. Implementations: {@link
 * BicubicEnhancer} (the baseline) and the SDATC engine.
 *
 * <p>One instance is shared by all stream threads of a process, so {@code enhance} must be safe to
 * call concurrently. Per-stream temporal state does not live here: it comes in and goes out with
 * the window ({@link WindowInput#carry()}, {@link WindowOutput#carry()}), so the stream layer can
 * keep it in a fault-tolerant state store.
 */
public interface Enhancer extends AutoCloseable {

    /** What this enhancer is, for output segments, logs and the model info metric. */
    EnhancerInfo info();

    /**
     * Enhances the frames {@code input.emitStart() .. emitStart + emitCount - 1} of the window,
     * using the other frames as temporal context.
     *
     * @throws EnhancerException when this window cannot be enhanced (bad input for this model)
     */
    WindowOutput enhance(WindowInput input);

    /**
     * Whether this enhancer uses the decoder's motion vectors ({@link WindowInput#motion()}):
     * callers decode with motion export only then, since it costs decode time and memory.
     */
    default boolean wantsMotionVectors() {
        return false;
    }

    @Override
    default void close() {}
}
