package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

/**
 * Motion vectors exported by the real H.264 decoder (FFmpeg, raw avcodec API) for a clip whose
 * motion is known exactly: every frame is the previous one shifted by whole pixels, encoded with
 * the project's own SegmentEncoder (libx264, P frames only).
 */
class MotionVectorsTest {
    private static final Rational FPS = new Rational(25, 1);

    // Frames 1-4 move content by (+3, +1), frames 5-9 by (-2, +2): the field must follow the change.
    private static final int[][] SHIFTS = {{3, 1}, {3, 1}, {3, 1}, {3, 1}, {-2, 2}, {-2, 2}, {-2, 2}, {-2, 2}, {-2, 2}};

    private static byte[] ts;

    @BeforeAll
    static void encode() {
        List<Image> clip = SyntheticClip.translating(480, 272, 11, SHIFTS);
        ts = new SegmentEncoder()
                .encode(
                        clip,
                        MediaFixtures.regularPts(clip.size(), FPS, 0),
                        MediaFixtures.TS,
                        FPS,
                        EncoderSettings.defaults());
    }

    private static DecodedSegment decode(boolean motion) {
        return new SegmentDecoder(motion).decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
    }

    /** Median of the covered pixels' vectors, {dx, dy}. */
    static float[] median(MotionField f) {
        int plane = f.width() * f.height();
        float[] v = f.vectors().data();
        float[] valid = f.valid().data();
        float[] dx = new float[plane];
        float[] dy = new float[plane];
        int n = 0;
        for (int i = 0; i < plane; i++) {
            if (valid[i] > 0) {
                dx[n] = v[i];
                dy[n] = v[plane + i];
                n++;
            }
        }
        assertTrue(n > 0, "field covers no pixel");
        Arrays.sort(dx, 0, n);
        Arrays.sort(dy, 0, n);
        return new float[] {dx[n / 2], dy[n / 2]};
    }

    @Test
    void shouldRecoverAKnownTranslationFromTheDecodersMotionVectorsOnEveryInterFrame() {
        DecodedSegment d = decode(true);
        assertEquals(SHIFTS.length + 1, d.motion().size());
        assertNull(d.motion().get(0), "the keyframe, first of the segment, has no predecessor");
        for (int k = 1; k < d.motion().size(); k++) {
            MotionField f = d.motion().get(k);
            assertNotNull(f, "P frame " + k + " has motion vectors");
            assertEquals(480, f.width());
            assertEquals(272, f.height());
            float[] m = median(f);
            // Backward flow: frame k at x looks like frame k-1 at x - shift.
            assertTrue(
                    Math.abs(m[0] + SHIFTS[k - 1][0]) < 1 && Math.abs(m[1] + SHIFTS[k - 1][1]) < 1,
                    "frame " + k + ": median vector " + Arrays.toString(m) + ", expected " + -SHIFTS[k - 1][0] + ", "
                            + -SHIFTS[k - 1][1]);
            assertTrue(f.validFraction() > 0.8, "frame " + k + " covered " + f.validFraction());
        }
    }

    @Test
    void shouldGiveEachFrameItsOwnVectorsNotThePreviousFramesWhenTheMotionChanges() {
        // JavaCV's grabber with export_mvs hands out the side data of an earlier frame.
        DecodedSegment d = decode(true);
        float[] before = median(d.motion().get(4));
        float[] after = median(d.motion().get(5));
        assertTrue(
                Math.abs(after[0] - before[0]) > 4 && Math.abs(after[1] - before[1]) > 0.5,
                "frame 4 " + Arrays.toString(before) + " vs frame 5 " + Arrays.toString(after));
    }

    @Test
    void shouldNotExportMotionUnlessAsked() {
        DecodedSegment plain = decode(false);
        assertNull(plain.motion());
        DecodedSegment withMotion = decode(true);
        for (int i = 0; i < plain.frames().size(); i++) {
            assertEquals(
                    Arrays.hashCode(plain.frames().get(i).rgb()),
                    Arrays.hashCode(withMotion.frames().get(i).rgb()),
                    "frame " + i + " decodes to the same pixels with motion export on");
        }
    }
}
