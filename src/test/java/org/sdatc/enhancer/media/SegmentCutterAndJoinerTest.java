package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.tensor.Image;

class SegmentCutterAndJoinerTest {
    private final SegmentDecoder decoder = new SegmentDecoder();

    @TempDir
    Path dir;

    /** Each segment alone: one keyframe, first; decodes to its frames; PTS continue the clock. */
    private void assertSelfContained(List<CutSegment> segments, Rational fps) {
        long frameIndex = 0;
        for (CutSegment seg : segments) {
            List<Boolean> keys = MediaFixtures.keyFlags(seg.payload());
            assertEquals(seg.frameCount(), keys.size());
            assertTrue(keys.get(0), "segment must start with a keyframe");
            assertFalse(keys.subList(1, keys.size()).contains(true), "no keyframe inside a segment: " + keys);

            DecodedSegment decoded =
                    decoder.decode(seg.payload(), ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
            assertEquals(seg.frameCount(), decoded.frames().size());
            for (int i = 0; i < decoded.pts().length; i++) {
                assertEquals(Math.round((frameIndex + i) * 90_000.0 * fps.den() / fps.num()), decoded.pts()[i]);
            }
            assertEquals(decoded.pts()[0], seg.firstPts());
            frameIndex += seg.frameCount();
        }
    }

    @Test
    void cuttingASyntheticClipGivesOneSecondClosedGopsWithContinuingTimestamps() {
        Rational fps = new Rational(25, 1);
        List<Image> clip = SyntheticClip.generate(320, 180, 60, 5);

        List<CutSegment> segments = SegmentCutter.cut(clip, fps, 1.0, EncoderSettings.defaults());

        assertEquals(
                List.of(25, 25, 10),
                segments.stream().map(CutSegment::frameCount).toList());
        assertSelfContained(segments, fps);
    }

    @Test
    void cuttingARealImageSequenceScalesItAndJoiningGivesAnMp4WithEveryFrame() throws Exception {
        assumeTrue(MediaFixtures.hasVid4(), "Vid4 frames not found at " + MediaFixtures.VID4);
        Path pattern = MediaFixtures.VID4.resolve("calendar/%03d.png");
        List<CutSegment> segments = new ArrayList<>();
        try (Stream<CutSegment> cut = SegmentCutter.cut(pattern, 0.5, 180, null, EncoderSettings.defaults())) {
            cut.forEach(segments::add);
        }
        // 41 frames at the image sequence's default 25 fps, 13 per half-second segment.
        assertEquals(
                List.of(13, 13, 13, 2),
                segments.stream().map(CutSegment::frameCount).toList());
        assertEquals(180, segments.get(0).width());
        assertEquals(144, segments.get(0).height());
        assertSelfContained(segments, new Rational(25, 1));

        Path mp4 = dir.resolve("joined.mp4");
        try (SegmentJoiner joiner = new SegmentJoiner(mp4)) {
            for (CutSegment seg : segments) {
                joiner.append(seg.payload());
            }
        }
        DecodedSegment whole =
                decoder.decode(Files.readAllBytes(mp4), ContainerFormat.FMP4, VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(41, whole.frames().size());

        assumeTrue(MediaFixtures.hasFfprobe(), "ffprobe not installed: apt-get install ffmpeg");
        List<Long> pts = MediaFixtures.probeFramePts(mp4);
        assertEquals(41, pts.size(), "ffprobe frames: " + pts);
        for (int i = 1; i < pts.size(); i++) {
            assertTrue(pts.get(i) > pts.get(i - 1), "timestamps must increase: " + pts);
        }
    }

    @Test
    void joiningSegmentsWhoseClockRestartsStillPlaysForward() throws Exception {
        Rational fps = new Rational(30, 1);
        List<Image> clip = SyntheticClip.generate(160, 96, 20, 9);
        byte[] a = new SegmentEncoder()
                .encode(
                        clip.subList(0, 10),
                        MediaFixtures.regularPts(10, fps, 0),
                        MediaFixtures.TS,
                        fps,
                        EncoderSettings.defaults());
        byte[] b = new SegmentEncoder()
                .encode(
                        clip.subList(10, 20),
                        MediaFixtures.regularPts(10, fps, 0),
                        MediaFixtures.TS,
                        fps,
                        EncoderSettings.defaults());
        Path mp4 = dir.resolve("restart.mp4");
        try (SegmentJoiner joiner = new SegmentJoiner(mp4)) {
            joiner.append(a);
            joiner.append(b);
        }
        DecodedSegment whole =
                decoder.decode(Files.readAllBytes(mp4), ContainerFormat.FMP4, VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(20, whole.frames().size());
        for (int i = 1; i < whole.pts().length; i++) {
            assertTrue(whole.pts()[i] > whole.pts()[i - 1], "frame " + i + " goes back in time");
        }
    }
}
