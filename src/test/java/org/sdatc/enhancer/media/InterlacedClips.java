package org.sdatc.enhancer.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.sdatc.enhancer.tensor.Image;

/**
 * Interlaced H.264 in MPEG-TS, as broadcast sends it, made with JavaCV's recorder (libx264 with
 * {@code -flags +ildct+ilme -x264-params tff=1}, the options of issue 11's reproduction).
 */
public final class InterlacedClips {
    private InterlacedClips() {}

    /**
     * Issue 11's clip: {@code frames} frames at 25 fps, one GOP, no B frames. Each frame weaves two
     * moments of a moving {@link SyntheticClip} 1/50 s apart, as an interlaced camera records them, so
     * a frame shown without deinterlacing is combed. libx264 takes the field order from each frame's
     * flags, which JavaCV's frames do not carry, so despite {@code tff=1} the stream signals bottom
     * field first (so does the ffmpeg command line of the issue): the bottom field is the earlier one.
     */
    public static byte[] mpegts(int width, int height, int frames) {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        List<Image> woven = woven(width, height, frames);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, width, height, 0)) {
            recorder.setFormat("mpegts");
            recorder.setVideoCodecName("libx264");
            recorder.setFrameRate(25);
            recorder.setGopSize(frames);
            recorder.setMaxBFrames(0);
            recorder.setVideoOption("preset", "veryfast");
            recorder.setVideoOption("flags", "+ildct+ilme");
            recorder.setVideoOption("x264-params", "tff=1");
            recorder.start();
            for (Image image : woven) {
                recorder.record(toFrame(image));
            }
            recorder.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not record the interlaced test clip", e);
        }
        return out.toByteArray();
    }

    /** The woven frames {@link #mpegts} encodes: rows 1, 3, 5... from field time 2k, the others from 2k + 1. */
    public static List<Image> woven(int width, int height, int frames) {
        List<Image> fields = SyntheticClip.generate(width, height, 2 * frames, 5);
        List<Image> out = new ArrayList<>(frames);
        int row = width * 3;
        for (int k = 0; k < frames; k++) {
            byte[] rgb = new byte[row * height];
            byte[] first = fields.get(2 * k).rgb();
            byte[] second = fields.get(2 * k + 1).rgb();
            for (int y = 0; y < height; y++) {
                System.arraycopy(y % 2 == 1 ? first : second, y * row, rgb, y * row, row);
            }
            out.add(new Image(width, height, rgb));
        }
        return out;
    }

    /**
     * Combing: mean |2 p(y) - p(y-1) - p(y+1)| over the green channel, the vertical second difference
     * that jumps where odd and even rows show different moments.
     */
    public static double combing(Image image) {
        double sum = 0;
        long n = 0;
        for (int y = 1; y < image.height() - 1; y++) {
            for (int x = 0; x < image.width(); x++) {
                int d = 2 * image.sample(x, y, 1) - image.sample(x, y - 1, 1) - image.sample(x, y + 1, 1);
                sum += Math.abs(d);
                n++;
            }
        }
        return sum / n;
    }

    private static Frame toFrame(Image image) {
        Frame frame = new Frame(image.width(), image.height(), Frame.DEPTH_UBYTE, 3);
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] rgb = image.rgb();
        int row = image.width() * 3;
        byte[] bgr = new byte[row];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int i = y * row + x * 3;
                bgr[x * 3] = rgb[i + 2];
                bgr[x * 3 + 1] = rgb[i + 1];
                bgr[x * 3 + 2] = rgb[i];
            }
            buffer.position(y * frame.imageStride).put(bgr);
        }
        buffer.rewind();
        return frame;
    }
}
