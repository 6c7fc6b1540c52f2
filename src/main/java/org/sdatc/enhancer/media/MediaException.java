package org.sdatc.enhancer.media;

import java.util.Objects;

/**
 * A segment that cannot be decoded, with a reason a dead-letter handler can act on. The message says
 * what was wrong in the user's terms; the stream layer prefixes the stream id and sequence number.
 */
public final class MediaException extends RuntimeException {
    /** Why a segment was refused. */
    public enum Reason {
        /** The bytes are not the declared container, or the codec is not the declared one. */
        UNSUPPORTED_FORMAT,
        /** The container parses but the video inside is damaged or truncated. */
        UNDECODABLE,
        /** A valid container with no video frames in it. */
        NO_FRAMES,
        /** Over one of the {@link DecodeLimits}. */
        LIMIT_EXCEEDED,
        /** Interlaced video, refused by {@link InterlacedInput#REJECT}. */
        INTERLACED,
        /** Frame timestamps that go backwards, repeat or are negative within one segment. */
        BAD_TIMESTAMPS,
        /** The payload holds another number of frames than the producer declared. */
        FRAME_COUNT_MISMATCH
    }

    private final Reason reason;

    public MediaException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public MediaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
