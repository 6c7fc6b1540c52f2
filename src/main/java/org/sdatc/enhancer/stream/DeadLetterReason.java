package org.sdatc.enhancer.stream;

import org.sdatc.enhancer.media.MediaException;

/** Why a record went to the dead-letter topic. A bounded set: it is also a metric tag. */
public enum DeadLetterReason {
    /** The value is not a {@code VideoSegment} protobuf. */
    MALFORMED_RECORD,
    /** Required fields missing or inconsistent (stream id, key, frame rate, container, codec). */
    INVALID_SEGMENT,
    /** Container or codec not supported, or not what the segment declares. */
    UNSUPPORTED_FORMAT,
    /** The payload does not decode. */
    UNDECODABLE,
    /** The payload decodes to no frames. */
    NO_FRAMES,
    /** Payload size, dimensions or frame count above the configured limits. */
    LIMIT_EXCEEDED,
    /** The payload holds another number of frames than the segment declares. */
    FRAME_COUNT_MISMATCH,
    /** The enhancer refused a window of this segment. */
    ENHANCE_FAILED,
    /** Interlaced video, and {@code sdatc.input.interlaced=reject}. */
    INTERLACED,
    /** Frame timestamps that go backwards, repeat or are negative within the segment. */
    BAD_TIMESTAMPS,
    /**
     * The sequence number is more than {@code sdatc.sequence.max.jump} ahead of the stream's: taken
     * for a bad number, so the stream is not moved (its successor confirms a real renumbering).
     */
    SEQUENCE_JUMP;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static DeadLetterReason of(MediaException.Reason reason) {
        return switch (reason) {
            case UNSUPPORTED_FORMAT -> UNSUPPORTED_FORMAT;
            case UNDECODABLE -> UNDECODABLE;
            case NO_FRAMES -> NO_FRAMES;
            case LIMIT_EXCEEDED -> LIMIT_EXCEEDED;
            case INTERLACED -> INTERLACED;
            case BAD_TIMESTAMPS -> BAD_TIMESTAMPS;
            case FRAME_COUNT_MISMATCH -> FRAME_COUNT_MISMATCH;
        };
    }
}
