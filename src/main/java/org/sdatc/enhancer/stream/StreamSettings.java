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
        int maxRecordBytes) {

    public static final String DEFAULT_INPUT_TOPIC = "sdatc-in";
    public static final String DEFAULT_OUTPUT_TOPIC = "sdatc-out";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "sdatc-dlq";
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;
    public static final int MIN_RECORD_BYTES = 1 << 20;

    public StreamSettings {
        requireTopic("input topic", inputTopic);
        requireTopic("output topic", outputTopic);
        requireTopic("dead-letter topic", deadLetterTopic);
        if (inputTopic.equals(outputTopic) || inputTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException(
                    "the input topic '" + inputTopic + "' must differ from the output and dead-letter topics");
        }
        java.util.Objects.requireNonNull(interlaced, "interlaced");
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
                DEFAULT_MAX_RECORD_BYTES);
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
                input, output, deadLetter, windowLength, windowContext, limits, encoder, interlaced, maxRecordBytes);
    }

    private static void requireTopic(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the " + what + " name must not be empty");
        }
    }
}
