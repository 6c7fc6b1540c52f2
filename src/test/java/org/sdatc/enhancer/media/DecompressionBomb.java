package org.sdatc.enhancer.media;

import org.sdatc.enhancer.tensor.Image;

/**
 * Issue 11's decompression bomb: {@code ffmpeg -f lavfi -i color=black:size=960x540:rate=25 -t 24
 * -c:v libx264 -preset ultrafast -g 600 -bf 0 -f mpegts bomb.ts}, 600 black frames in one GOP: about
 * 200 KB that decode to 311 M pixels (0.9 GB as RGB, 15 GB at x4), inside every other limit.
 */
public final class DecompressionBomb {
    private DecompressionBomb() {}

    /** {@code frames} black frames of {@code width x height} at 25 fps in one GOP, H.264 in MPEG-TS. */
    public static byte[] mpegts(int width, int height, int frames) {
        Image black = Image.blank(width, height);
        Rational rate = new Rational(25, 1);
        try (TsSegmentWriter writer = new TsSegmentWriter(
                width,
                height,
                Rational.MPEGTS_TIME_BASE,
                rate,
                frames,
                new EncoderSettings("libx264", "ultrafast", 23))) {
            for (int i = 0; i < frames; i++) {
                writer.write(black, i * 3600L);
            }
            return writer.finish();
        }
    }
}
