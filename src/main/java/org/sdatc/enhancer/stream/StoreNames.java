package org.sdatc.enhancer.stream;

/** Names of the per-stream state stores (their changelog topics are derived from them). */
public final class StoreNames {
    /** Last sequence seen per stream: value {@code StreamProgress}. */
    public static final String STREAM_PROGRESS = "stream-progress";
    /** Last low-resolution frames per stream, the next segment's left context: {@code FrameTail}. */
    public static final String FRAME_TAIL = "frame-tail";
    /** The previous window's carried state (SDATC latents) per stream: {@code WindowCarry}. */
    public static final String WINDOW_LATENTS = "window-latents";

    private StoreNames() {}
}
