package org.sdatc.enhancer.media;

import java.util.Objects;

/**
 * How {@link SegmentEncoder} compresses frames.
 *
 * @param codecName FFmpeg encoder name, for example {@code libx264}
 * @param preset encoder speed preset, for example {@code veryfast}
 * @param crf constant rate factor (lower is better quality; 18 is visually near-lossless for x264)
 * @param threads encoder threads; 0 lets the encoder choose (x264: 1.5 x cores, frame threads)
 * @param x264Params extra libx264 options as {@code key=value:key=value} (x264's own names), applied
 *     before the options every segment needs (one closed GOP, no B-frames), which always win; empty
 *     for none
 */
public record EncoderSettings(String codecName, String preset, int crf, int threads, String x264Params) {
    public EncoderSettings {
        Objects.requireNonNull(codecName, "codecName");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(x264Params, "x264Params");
        if (crf < 0 || crf > 51) {
            throw new IllegalArgumentException("crf must be in 0..51 (x264's range), got " + crf);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (the encoder's choice) or more, got " + threads);
        }
    }

    /** The encoder's own thread count and no extra options. */
    public EncoderSettings(String codecName, String preset, int crf) {
        this(codecName, preset, crf, 0, "");
    }

    /** libx264, veryfast, crf 18. */
    public static EncoderSettings defaults() {
        return new EncoderSettings("libx264", "veryfast", 18);
    }
}
