package org.sdatc.enhancer.media;

/**
 * What a single segment may cost to decode; checked in this order, each before the work it guards:
 * payload size, then the frame size the stream declares, then the decoded pixels (width x height
 * x frames) from the declared frame count, then, while decoding, the number of frames and the
 * pixels decoded so far.
 *
 * @param maxPixelsPerSegment the most pixels (width x height, summed over frames) one segment may
 *     decode to: what bounds a decompression bomb, a few kilobytes of identical frames inside every
 *     other limit
 */
public record DecodeLimits(int maxWidth, int maxHeight, int maxFrames, int maxPayloadBytes, long maxPixelsPerSegment) {
    public DecodeLimits {
        if (maxWidth <= 0 || maxHeight <= 0 || maxFrames <= 0 || maxPayloadBytes <= 0 || maxPixelsPerSegment <= 0) {
            throw new IllegalArgumentException("decode limits must be positive, got " + maxWidth + "x" + maxHeight
                    + ", " + maxFrames + " frames, " + maxPayloadBytes + " bytes, " + maxPixelsPerSegment
                    + " pixels");
        }
    }

    /** Limits with the pixel budget {@link #pixelsForHeap derived from this JVM's heap}. */
    public DecodeLimits(int maxWidth, int maxHeight, int maxFrames, int maxPayloadBytes) {
        this(
                maxWidth,
                maxHeight,
                maxFrames,
                maxPayloadBytes,
                pixelsForHeap(Runtime.getRuntime().maxMemory()));
    }

    /** 1920x1080, 600 frames, 32 MiB, pixels from the heap. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(1920, 1080, 600, 32 * 1024 * 1024);
    }

    /**
     * The default pixel budget: as many pixels as a quarter of the heap holds as RGB24 (3 bytes a
     * pixel), at least one 1080p frame. Decoding streams frames, so memory no longer grows with a
     * segment; the budget keeps any path that does hold a segment (and the time a segment takes) in
     * proportion to the machine. 6 GiB heap: 537 M pixels (1036 frames of 960x540); 1 GiB: 89 M.
     */
    public static long pixelsForHeap(long maxHeapBytes) {
        return Math.max(1920L * 1080, maxHeapBytes / 4 / 3);
    }
}
