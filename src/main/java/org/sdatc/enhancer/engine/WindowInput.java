package org.sdatc.enhancer.engine;

import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * One sliding window handed to an {@link Enhancer}.
 *
 * @param id stream, segment and window number (seeds)
 * @param frames the low-resolution frames of the window in display order (normally 5; edge frames
 *     may repeat when the stream is shorter than a window)
 * @param emitStart index in {@code frames} of the first frame to enhance and return
 * @param emitCount how many frames to return, from {@code emitStart}
 * @param carry the previous window's carried state (for SDATC: its final latents) or null when
 *     the stream is not continuous (first window, or after a gap)
 * @param hints what the producer said about the compression, may be {@link CompressionHints#NONE}
 */
public record WindowInput(
        WindowId id, List<Image> frames, int emitStart, int emitCount, byte[] carry, CompressionHints hints) {
    public WindowInput {
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("window " + id + " has no frames");
        }
        if (emitStart < 0 || emitCount < 1 || emitStart + emitCount > frames.size()) {
            throw new IllegalArgumentException("window " + id + " emits [" + emitStart + ", " + (emitStart + emitCount)
                    + ") of " + frames.size() + " frames");
        }
    }

    public List<Image> emitted() {
        return frames.subList(emitStart, emitStart + emitCount);
    }
}
