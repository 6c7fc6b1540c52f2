package org.sdatc.enhancer.media;

import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * The frames of one segment in display order.
 *
 * @param frames RGB24 frames, all {@code width x height}
 * @param pts each frame's presentation timestamp in {@code timeBase} units (the container's own
 *     clock: 1/90000 for MPEG-TS), same length as {@code frames}
 * @param timeBase unit of {@code pts}
 * @param frameRate nominal frame rate of the stream
 */
public record DecodedSegment(
        List<Image> frames, long[] pts, Rational timeBase, Rational frameRate, int width, int height) {
    public DecodedSegment {
        frames = List.copyOf(frames);
        if (pts.length != frames.size()) {
            throw new IllegalArgumentException(
                    "a segment needs one pts per frame, got " + pts.length + " for " + frames.size() + " frames");
        }
    }
}
