package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

/** The encoder thread behind EncodingSink: same bytes as encoding in line, failures reach the caller. */
class EncodingSinkTest {
    private static final Rational FPS = new Rational(25, 1);
    private final SegmentDecoder decoder = new SegmentDecoder();

    private SegmentFrames source(List<Image> clip) {
        byte[] ts = new SegmentEncoder()
                .encode(
                        clip,
                        MediaFixtures.regularPts(clip.size(), FPS, 90_000),
                        MediaFixtures.TS,
                        FPS,
                        EncoderSettings.defaults());
        return decoder.open(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults(), clip.size());
    }

    @Test
    void framesEncodedOnTheEncoderThreadGiveTheSameSegmentAsEncodingInLine() {
        List<Image> clip = SyntheticClip.generate(64, 48, 12, 5);
        try (SegmentFrames frames = source(clip);
                EncodingSink sink = new EncodingSink(frames, FPS, clip.size(), EncoderSettings.defaults())) {
            List<Image> decoded = new ArrayList<>();
            // Decode and encode interleaved, as the processor does: the sink reads each frame's PTS.
            for (DecodedFrame f = frames.next(); f != null; f = frames.next()) {
                decoded.add(f.image());
                sink.accept(f.image());
            }
            byte[] threaded = sink.finish();
            byte[] inLine = new SegmentEncoder()
                    .encode(decoded, frames.pts(), frames.timeBase(), FPS, EncoderSettings.defaults());
            assertArrayEquals(inLine, threaded);
        }
    }

    @Test
    void anEncoderFailureReachesTheCallerAndCloseReturns() {
        List<Image> clip = SyntheticClip.generate(64, 48, 4, 5);
        try (SegmentFrames frames = source(clip)) {
            EncodingSink sink = new EncodingSink(frames, FPS, clip.size(), EncoderSettings.defaults());
            sink.accept(frames.next().image());
            frames.next();
            // A frame of another size: the writer refuses it on the encoder thread.
            sink.accept(Image.blank(32, 24));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, sink::finish);
            assertTrue(e.getMessage().contains("32x24") && e.getMessage().contains("64x48"), e.getMessage());
            sink.close();
        }
    }
}
