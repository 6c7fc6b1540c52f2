package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

/** Inputs other than our own H.264 MPEG-TS, produced by FFmpeg through JavaCV's recorder. */
class SegmentDecoderFormatsTest {
    private final SegmentDecoder decoder = new SegmentDecoder();

    private static byte[] record(List<Image> clip, String format, String codecName) throws Exception {
        Image first = clip.get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, first.width(), first.height(), 0)) {
            recorder.setFormat(format);
            recorder.setVideoCodecName(codecName);
            recorder.setFrameRate(25);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoOption("crf", "18");
            recorder.start();
            for (Image image : clip) {
                Frame frame = new Frame(image.width(), image.height(), Frame.DEPTH_UBYTE, 3);
                ByteBuffer buf = (ByteBuffer) frame.image[0];
                int row = image.width() * 3;
                for (int y = 0; y < image.height(); y++) {
                    buf.position(y * frame.imageStride);
                    buf.put(image.rgb(), y * row, row);
                }
                buf.position(0);
                recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
            }
            recorder.stop();
        }
        return out.toByteArray();
    }

    @Test
    void aRawAnnexBStreamDecodesWithARegularClock() throws Exception {
        List<Image> clip = SyntheticClip.generate(320, 180, 10, 4);
        byte[] raw = record(clip, "h264", "libx264");

        DecodedSegment d = decoder.decode(raw, ContainerFormat.ANNEXB, VideoCodec.H264, DecodeLimits.defaults());

        assertEquals(10, d.frames().size());
        for (int i = 1; i < d.pts().length; i++) {
            assertTrue(d.pts()[i] > d.pts()[i - 1], "timestamps must increase");
        }
        assertTrue(MediaFixtures.psnr(clip, d.frames()) > 33);
    }

    @Test
    void hevcInMpegTsDecodesWhenDeclaredAsHevc() throws Exception {
        assumeTrue(avcodec_find_encoder_by_name("libx265") != null, "this FFmpeg build has no libx265");
        List<Image> clip = SyntheticClip.generate(320, 180, 8, 4);
        byte[] ts = record(clip, "mpegts", "libx265");

        DecodedSegment d = decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.HEVC, DecodeLimits.defaults());

        assertEquals(8, d.frames().size());
        assertEquals(MediaFixtures.TS, d.timeBase());
        MediaException wrong = assertThrows(
                MediaException.class,
                () -> decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults()));
        assertEquals(MediaException.Reason.UNSUPPORTED_FORMAT, wrong.reason());
    }

    @Test
    void aMissingEncoderIsReportedAtStartUpWithTheFix() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> SegmentEncoder.requireEncoder(new EncoderSettings("libx264-missing", "veryfast", 18)));
        assertTrue(e.getMessage().contains("libx264-missing") && e.getMessage().contains("-gpl"), e.getMessage());
        SegmentEncoder.requireEncoder(EncoderSettings.defaults());
    }

    @Test
    void aPresetTheEncoderRejectsIsReportedAtStartUpNamingIt() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> SegmentEncoder.requireEncoder(new EncoderSettings("libx264", "warpspeed", 18)));
        assertTrue(e.getMessage().contains("warpspeed") && e.getMessage().contains("sdatc.encoder"), e.getMessage());
        SegmentEncoder.requireEncoder(new EncoderSettings("libx264", "veryfast", 18, 2, "sliced-threads=1"));
    }
}
