package org.sdatc.enhancer.media;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

/**
 * The frames of one segment in display order.
 *
 * @param frames RGB24 frames, all {@code width x height}
 * @param pts each frame's presentation timestamp in {@code timeBase} units (the container's own
 *     clock: 1/90000 for MPEG-TS), same length as {@code frames}
 * @param timeBase unit of {@code pts}
 * @param frameRate nominal frame rate of the stream
 * @param motion null unless the decoder was asked for motion vectors; then one entry per frame:
 *     its motion relative to the frame before it, or null where the codec gave none (the first
 *     frame, keyframes, B frames, streams with frame reordering; see {@link MotionVectors})
 */
public record DecodedSegment(
        List<Image> frames,
        long[] pts,
        Rational timeBase,
        Rational frameRate,
        int width,
        int height,
        List<MotionField> motion) {
    public DecodedSegment {
        frames = List.copyOf(frames);
        if (pts.length != frames.size()) {
            throw new IllegalArgumentException(
                    "a segment needs one pts per frame, got " + pts.length + " for " + frames.size() + " frames");
        }
        if (motion != null) {
            if (motion.size() != frames.size()) {
                throw new IllegalArgumentException("a segment's motion needs one entry (or null) per frame, got "
                        + motion.size() + " for " + frames.size() + " frames");
            }
            motion = Collections.unmodifiableList(new ArrayList<>(motion));
        }
    }

    /** A segment decoded without motion vectors. */
    public DecodedSegment(
            List<Image> frames, long[] pts, Rational timeBase, Rational frameRate, int width, int height) {
        this(frames, pts, timeBase, frameRate, width, height, null);
    }
}
