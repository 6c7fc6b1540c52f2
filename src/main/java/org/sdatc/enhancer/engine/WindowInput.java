package org.sdatc.enhancer.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

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
 * @param motion null, or one entry per frame: entry j is frame j's motion relative to frame j - 1
 *     of this window as the decoder coded it, null where unknown (entry 0 always, keyframes, frames
 *     that are not consecutive in the stream); given only to enhancers that {@link
 *     Enhancer#wantsMotionVectors() want} it
 */
public record WindowInput(
        WindowId id,
        List<Image> frames,
        int emitStart,
        int emitCount,
        byte[] carry,
        CompressionHints hints,
        List<MotionField> motion) {
    public WindowInput {
        frames = List.copyOf(frames);
        if (motion != null) {
            if (motion.size() != frames.size()) {
                throw new IllegalArgumentException(
                        "window " + id + " has " + motion.size() + " motion entries for " + frames.size() + " frames");
            }
            motion = Collections.unmodifiableList(new ArrayList<>(motion));
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("window " + id + " has no frames");
        }
        if (emitStart < 0 || emitCount < 1 || emitStart + emitCount > frames.size()) {
            throw new IllegalArgumentException("window " + id + " emits [" + emitStart + ", " + (emitStart + emitCount)
                    + ") of " + frames.size() + " frames");
        }
    }

    /** A window without motion vectors. */
    public WindowInput(
            WindowId id, List<Image> frames, int emitStart, int emitCount, byte[] carry, CompressionHints hints) {
        this(id, frames, emitStart, emitCount, carry, hints, null);
    }

    public List<Image> emitted() {
        return frames.subList(emitStart, emitStart + emitCount);
    }
}
