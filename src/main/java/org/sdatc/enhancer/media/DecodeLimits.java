package org.sdatc.enhancer.media;

/**
 * What a single segment may cost to decode; checked in this order, each before the work it guards:
 * payload size, then the frame size the stream declares, then the number of decoded frames.
 */
public record DecodeLimits(int maxWidth, int maxHeight, int maxFrames, int maxPayloadBytes) {
    public DecodeLimits {
        if (maxWidth <= 0 || maxHeight <= 0 || maxFrames <= 0 || maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("decode limits must be positive, got " + maxWidth + "x" + maxHeight
                    + ", " + maxFrames + " frames, " + maxPayloadBytes + " bytes");
        }
    }

    /** 1920x1080, 600 frames, 32 MiB. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(1920, 1080, 600, 32 * 1024 * 1024);
    }
}
