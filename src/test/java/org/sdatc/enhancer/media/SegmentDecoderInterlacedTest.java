package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

/** Interlaced H.264 (issue 11, defect 1): deinterlaced by default, refused with its own reason on request. */
class SegmentDecoderInterlacedTest {
    private static final int WIDTH = 160;
    private static final int HEIGHT = 92;
    private static final int FRAMES = 25;
    private static final DecodeLimits LIMITS = new DecodeLimits(960, 540, 600, 8 << 20);
    private static byte[] clip;

    @BeforeAll
    static void record() {
        clip = InterlacedClips.mpegts(WIDTH, HEIGHT, FRAMES);
    }

    @Test
    void anInterlacedSegmentDecodesToEveryFrameDeinterlacedWithItsTimestamps() {
        DecodedSegment decoded = new SegmentDecoder().decode(clip, ContainerFormat.MPEGTS, VideoCodec.H264, LIMITS);

        assertEquals(FRAMES, decoded.frames().size(), "one progressive frame per interlaced frame");
        assertEquals(WIDTH, decoded.width());
        assertEquals(HEIGHT, decoded.height());
        long[] pts = decoded.pts();
        for (int i = 1; i < pts.length; i++) {
            assertEquals(3600, pts[i] - pts[i - 1], "frame " + i + " keeps its 25 fps timestamp");
        }
        List<Image> woven = InterlacedClips.woven(WIDTH, HEIGHT, FRAMES);
        double wovenComb =
                woven.stream().mapToDouble(InterlacedClips::combing).average().orElseThrow();
        double outComb = decoded.frames().stream()
                .mapToDouble(InterlacedClips::combing)
                .average()
                .orElseThrow();
        assertTrue(
                outComb < 0.4 * wovenComb,
                "deinterlaced frames are not combed: " + outComb + " vs " + wovenComb + " woven");
    }

    @Test
    void theRejectPolicyRefusesInterlacedVideoWithItsOwnReason() {
        SegmentDecoder strict = new SegmentDecoder(false, InterlacedInput.REJECT);

        MediaException e = assertThrows(
                MediaException.class, () -> strict.decode(clip, ContainerFormat.MPEGTS, VideoCodec.H264, LIMITS));

        assertEquals(MediaException.Reason.INTERLACED, e.reason());
        assertTrue(e.getMessage().contains("is interlaced") && e.getMessage().contains("field first"), e.getMessage());
    }

    @Test
    void progressiveVideoIsNotTouchedByTheRejectPolicy() {
        List<Image> frames = SyntheticClip.generate(64, 48, 6, 2);
        byte[] progressive = new SegmentEncoder()
                .encode(
                        frames,
                        MediaFixtures.regularPts(6, new Rational(25, 1), 0),
                        MediaFixtures.TS,
                        new Rational(25, 1),
                        EncoderSettings.defaults());

        DecodedSegment decoded = new SegmentDecoder(false, InterlacedInput.REJECT)
                .decode(progressive, ContainerFormat.MPEGTS, VideoCodec.H264, LIMITS);

        assertEquals(6, decoded.frames().size());
    }
}
