package org.sdatc.enhancer.media;

import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

/**
 * One decoded frame of a segment.
 *
 * @param image RGB24
 * @param pts presentation timestamp in the segment's time base
 * @param motion its motion relative to the frame before it, or null (not asked for, or none: the
 *     first frame, keyframes, B frames, deinterlaced frames; see {@link MotionVectors})
 */
public record DecodedFrame(Image image, long pts, MotionField motion) {}
