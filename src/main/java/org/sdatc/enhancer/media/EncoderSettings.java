package org.sdatc.enhancer.media;

import java.util.Objects;

/**
 * How {@link SegmentEncoder} compresses frames.
 *
 * @param codecName FFmpeg encoder name, for example {@code libx264}
 * @param preset encoder speed preset, for example {@code veryfast}
 * @param crf constant rate factor (lower is better quality; 18 is visually near-lossless for x264)
 */
public record EncoderSettings(String codecName, String preset, int crf) {
    public EncoderSettings {
        Objects.requireNonNull(codecName, "codecName");
        Objects.requireNonNull(preset, "preset");
        if (crf < 0 || crf > 51) {
            throw new IllegalArgumentException("crf must be in 0..51 (x264's range), got " + crf);
        }
    }

    /** libx264, veryfast, crf 18. */
    public static EncoderSettings defaults() {
        return new EncoderSettings("libx264", "veryfast", 18);
    }
}
