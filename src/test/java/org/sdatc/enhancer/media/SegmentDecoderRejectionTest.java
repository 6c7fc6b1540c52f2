package org.sdatc.enhancer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

/** Every way a producer can send a bad segment ends in a typed, actionable MediaException. */
class SegmentDecoderRejectionTest {
    private static final Rational FPS = new Rational(25, 1);
    private final SegmentDecoder decoder = new SegmentDecoder();

    private static byte[] encoded(int width, int height, int frames) {
        List<Image> clip = SyntheticClip.generate(width, height, frames, 11);
        return new SegmentEncoder()
                .encode(
                        clip,
                        MediaFixtures.regularPts(frames, FPS, 0),
                        MediaFixtures.TS,
                        FPS,
                        EncoderSettings.defaults());
    }

    private MediaException rejected(byte[] payload, VideoCodec codec, DecodeLimits limits) {
        return assertThrows(MediaException.class, () -> decoder.decode(payload, ContainerFormat.MPEGTS, codec, limits));
    }

    @Test
    void randomBytesAreNotAcceptedAsMpegTs() {
        byte[] noise = new byte[188 * 64];
        new SplittableRandom(3).nextBytes(noise);
        MediaException e = rejected(noise, VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(MediaException.Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("MPEG-TS"), e.getMessage());
    }

    @Test
    void aPayloadCutMidPacketIsReportedAsTruncated() {
        byte[] ts = encoded(160, 96, 10);
        MediaException e = rejected(Arrays.copyOf(ts, ts.length / 2 + 1), VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(MediaException.Reason.UNDECODABLE, e.reason());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aPayloadCutAtAPacketBoundaryInsideAFrameIsUndecodable() {
        // At crf 18 a 480x270 keyframe fills a few hundred TS packets: packet 100 is inside it.
        byte[] ts = encoded(480, 270, 3);
        int cut = 100 * 188;
        MediaException e = rejected(Arrays.copyOf(ts, cut), VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(MediaException.Reason.UNDECODABLE, e.reason());
    }

    @Test
    void aTransportStreamWithoutVideoPacketsHasNoFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, 160, 96, 1)) {
            recorder.setFormat("mpegts");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            recorder.setAudioCodec(avcodec.AV_CODEC_ID_MP2);
            recorder.setSampleRate(48_000);
            recorder.start();
            recorder.recordSamples(ShortBuffer.wrap(new short[48_000]));
            recorder.stop();
        }
        byte[] ts = out.toByteArray();
        MediaException e = rejected(ts, VideoCodec.H264, DecodeLimits.defaults());
        assertEquals(MediaException.Reason.NO_FRAMES, e.reason());
    }

    @Test
    void anH264PayloadDeclaredAsHevcIsRefusedNamingBothCodecs() {
        MediaException e = rejected(encoded(160, 96, 3), VideoCodec.HEVC, DecodeLimits.defaults());
        assertEquals(MediaException.Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("HEVC") && e.getMessage().contains("H.264"), e.getMessage());
    }

    @Test
    void aFrameSizeAboveTheLimitIsRefusedFromTheHeaderBeforeAnyFrameIsDecoded() {
        byte[] ts = encoded(640, 360, 4);
        DecodeLimits small = new DecodeLimits(480, 270, 600, 1 << 25);
        MediaException whole = rejected(ts, VideoCodec.H264, small);
        assertEquals(MediaException.Reason.LIMIT_EXCEEDED, whole.reason());
        assertTrue(whole.getMessage().contains("640x360"), whole.getMessage());
        // Only the first 30 of ~260 packets: the headers and the start of a keyframe that cannot be
        // decoded. Still a size refusal, not a decode error, so the size was judged before decoding.
        MediaException headerOnly = rejected(Arrays.copyOf(ts, 188 * 30), VideoCodec.H264, small);
        assertEquals(MediaException.Reason.LIMIT_EXCEEDED, headerOnly.reason());
    }

    @Test
    void aFrameExactlyAtTheSizeLimitDecodes() {
        // 270 rows are coded as 272 (whole macroblocks): the limit is on the picture, not the padding.
        DecodedSegment decoded = decoder.decode(
                encoded(480, 270, 3), ContainerFormat.MPEGTS, VideoCodec.H264, new DecodeLimits(480, 270, 3, 1 << 25));
        assertEquals(3, decoded.frames().size());
        assertEquals(480, decoded.width());
    }

    @Test
    void moreFramesThanTheLimitAreRefused() {
        MediaException e = rejected(encoded(160, 96, 12), VideoCodec.H264, new DecodeLimits(1920, 1080, 10, 1 << 25));
        assertEquals(MediaException.Reason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains("10 frames"), e.getMessage());
    }

    @Test
    void aPayloadLargerThanTheLimitIsRefusedBeforeParsing() {
        byte[] ts = encoded(160, 96, 3);
        MediaException e = rejected(ts, VideoCodec.H264, new DecodeLimits(1920, 1080, 600, ts.length - 1));
        assertEquals(MediaException.Reason.LIMIT_EXCEEDED, e.reason());
        assertTrue(e.getMessage().contains(ts.length + " bytes"), e.getMessage());
    }
}
