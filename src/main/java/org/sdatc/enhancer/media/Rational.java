package org.sdatc.enhancer.media;

/** An exact fraction as FFmpeg uses for time bases and frame rates (for example 1/90000, 25/1). */
public record Rational(int num, int den) {
    public Rational {
        if (den <= 0 || num < 0) {
            throw new IllegalArgumentException(
                    "a time base or frame rate needs num >= 0 and den > 0, got " + num + "/" + den);
        }
    }

    /** The MPEG-TS clock: 90 kHz. */
    public static final Rational MPEGTS_TIME_BASE = new Rational(1, 90_000);

    public double toDouble() {
        return (double) num / den;
    }

    @Override
    public String toString() {
        return num + "/" + den;
    }
}
