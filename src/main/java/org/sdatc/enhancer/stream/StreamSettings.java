package org.sdatc.enhancer.stream;

import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.InterlacedInput;

/**
 * What the topology needs to know, validated once at start-up.
 *
 * @param inputTopic low-resolution segments ({@code VideoSegment}), keyed by stream id
 * @param outputTopic enhanced segments ({@code EnhancedSegment}), keyed by stream id
 * @param deadLetterTopic segments that could not be processed ({@code DeadLetter}), with the reason
 * @param windowLength frames per window (SDATC: 5)
 * @param windowContext frames of left context kept from the previous segment
 * @param limits checked before a payload is decoded
 * @param encoder how enhanced segments are encoded
 * @param interlaced interlaced input: deinterlaced, or dead-lettered as INTERLACED
 * @param maxRecordBytes the largest record the service may produce: enhanced segments above it are
 *     dead-lettered, dead letters are cut to fit it
 * @param maxSequenceJump how far ahead of a stream's last sequence a segment may be and count as a
 *     gap; further is dead-lettered as SEQUENCE_JUMP
 */
public record StreamSettings(
        String inputTopic,
        String outputTopic,
        String deadLetterTopic,
        int windowLength,
        int windowContext,
        DecodeLimits limits,
        EncoderSettings encoder,
        InterlacedInput interlaced,
        int maxRecordBytes,
        long maxSequenceJump) {

    public static final String DEFAULT_INPUT_TOPIC = "sdatc-in";
    public static final String DEFAULT_OUTPUT_TOPIC = "sdatc-out";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "sdatc-dlq";
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;
    public static final int MIN_RECORD_BYTES = 1 << 20;
    public static final long DEFAULT_MAX_SEQUENCE_JUMP = 10_000;

    public StreamSettings {
        requireTopic("input topic", inputTopic);
        requireTopic("output topic", outputTopic);
        requireTopic("dead-letter topic", deadLetterTopic);
        if (inputTopic.equals(outputTopic) || inputTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException(
                    "the input topic '" + inputTopic + "' must differ from the output and dead-letter topics");
        }
        java.util.Objects.requireNonNull(interlaced, "interlaced");
        if (maxSequenceJump < 1) {
            throw new IllegalArgumentException("the largest sequence jump must be at least 1, got " + maxSequenceJump);
        }
        if (maxRecordBytes < MIN_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "the record limit must be at least " + MIN_RECORD_BYTES + " bytes, got " + maxRecordBytes);
        }
    }

    /** Settings that deinterlace interlaced input, with the default 16 MiB record limit. */
    public StreamSettings(
            String inputTopic,
            String outputTopic,
            String deadLetterTopic,
            int windowLength,
            int windowContext,
            DecodeLimits limits,
            EncoderSettings encoder) {
        this(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                limits,
                encoder,
                InterlacedInput.DEINTERLACE,
                DEFAULT_MAX_RECORD_BYTES,
                DEFAULT_MAX_SEQUENCE_JUMP);
    }

    public static StreamSettings defaults() {
        return new StreamSettings(
                DEFAULT_INPUT_TOPIC,
                DEFAULT_OUTPUT_TOPIC,
                DEFAULT_DEAD_LETTER_TOPIC,
                5,
                2,
                DecodeLimits.defaults(),
                EncoderSettings.defaults());
    }

    public StreamSettings withTopics(String input, String output, String deadLetter) {
        return new StreamSettings(
                input,
                output,
                deadLetter,
                windowLength,
                windowContext,
                limits,
                encoder,
                interlaced,
                maxRecordBytes,
                maxSequenceJump);
    }

    public StreamSettings withLimits(DecodeLimits l) {
        return new StreamSettings(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                l,
                encoder,
                interlaced,
                maxRecordBytes,
                maxSequenceJump);
    }

    public StreamSettings withEncoder(EncoderSettings e) {
        return new StreamSettings(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                limits,
                e,
                interlaced,
                maxRecordBytes,
                maxSequenceJump);
    }

    public StreamSettings withInterlaced(InterlacedInput i) {
        return new StreamSettings(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                limits,
                encoder,
                i,
                maxRecordBytes,
                maxSequenceJump);
    }

    public StreamSettings withMaxRecordBytes(int bytes) {
        return new StreamSettings(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                limits,
                encoder,
                interlaced,
                bytes,
                maxSequenceJump);
    }

    public StreamSettings withMaxSequenceJump(long jump) {
        return new StreamSettings(
                inputTopic,
                outputTopic,
                deadLetterTopic,
                windowLength,
                windowContext,
                limits,
                encoder,
                interlaced,
                maxRecordBytes,
                jump);
    }

    private static void requireTopic(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the " + what + " name must not be empty");
        }
    }
}
