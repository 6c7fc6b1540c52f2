package org.sdatc.enhancer.media;

/**
 * One self-contained MPEG-TS segment as a live encoder would publish it: a closed GOP that starts
 * with a keyframe.
 *
 * @param payload H.264 in MPEG-TS
 * @param frameCount frames in the segment
 * @param firstPts PTS of its first frame in {@code timeBase} units (continues across segments)
 * @param timeBase 1/90000
 */
public record CutSegment(
        byte[] payload, int frameCount, long firstPts, Rational timeBase, Rational frameRate, int width, int height) {}
