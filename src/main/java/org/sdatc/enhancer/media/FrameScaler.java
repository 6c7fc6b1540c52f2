package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_PRI_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_TRC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_free_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.sdatc.enhancer.tensor.Image;

/**
 * Converts between decoded/encoder frames and RGB24 {@link Image}s with libswscale, optionally
 * resizing. {@code sws_scale_frame} reads each frame's colour tags, so a BT.709 stream from another
 * encoder and our own BT.709 output convert with the right matrix. One instance per thread.
 */
final class FrameScaler implements AutoCloseable {
    private final SwsContext sws;
    private final AVFrame rgb;
    private final boolean reuseBuffers;

    FrameScaler() {
        // Accurate rounding and full chroma interpolation: the round trip is measured in PSNR.
        this(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, false);
    }

    /**
     * @param flags libswscale flags ({@code SWS_*})
     * @param reuseBuffers whether {@link #toYuv420} keeps its buffers from frame to frame
     */
    FrameScaler(int flags, boolean reuseBuffers) {
        sws = sws_alloc_context();
        sws.flags(flags);
        rgb = av_frame_alloc();
        this.reuseBuffers = reuseBuffers;
    }

    /**
     * For the encoder's RGB to YUV 4:2:0 conversion, the largest per-frame cost of a 1080p encode
     * after x264 itself. Chroma is taken at full width from the RGB input ({@code
     * SWS_FULL_CHR_H_INP}) and halved by area averaging, without {@code SWS_ACCURATE_RND}: about a
     * third of the time of the decoder-side flags, and a round trip within 0.2 dB RGB-PSNR of them
     * at 51.7 dB, far above what x264 keeps at crf 18. Buffers are reused from frame to frame
     * (docs/benchmarks.md, "The output encode").
     */
    static FrameScaler forEncoding() {
        return new FrameScaler(SWS_AREA | SWS_FULL_CHR_H_INP, true);
    }

    /** {@code src} (any pixel format) scaled to {@code width x height} RGB24. */
    Image toImage(AVFrame src, int width, int height) {
        av_frame_unref(rgb);
        rgb.format(AV_PIX_FMT_RGB24).width(width).height(height);
        rgb.colorspace(AVCOL_SPC_RGB).color_range(AVCOL_RANGE_JPEG);
        rgb.color_primaries(src.color_primaries()).color_trc(src.color_trc());
        check(sws_scale_frame(sws, rgb, src), "convert a decoded frame to RGB");
        byte[] out = new byte[width * height * 3];
        BytePointer data = rgb.data(0);
        int stride = rgb.linesize(0);
        int row = width * 3;
        for (int y = 0; y < height; y++) {
            data.position((long) y * stride).get(out, y * row, row);
        }
        av_frame_unref(rgb);
        return new Image(width, height, out);
    }

    /**
     * {@code image} resized to {@code width x height} with this scaler's bicubic filter (swscale widens
     * the filter when it shrinks, so a downscale is low-passed as FFmpeg's {@code scale} filter does).
     */
    Image resize(Image image, int width, int height) {
        AVFrame src = av_frame_alloc();
        try {
            src.format(AV_PIX_FMT_RGB24).width(image.width()).height(image.height());
            src.colorspace(AVCOL_SPC_RGB).color_range(AVCOL_RANGE_JPEG);
            src.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709);
            check(av_frame_get_buffer(src, 0), "allocate an RGB frame");
            BytePointer data = src.data(0);
            int stride = src.linesize(0);
            int row = image.width() * 3;
            byte[] in = image.rgb();
            for (int y = 0; y < image.height(); y++) {
                data.position((long) y * stride).put(in, y * row, row);
            }
            return toImage(src, width, height);
        } finally {
            av_frame_free(src);
        }
    }

    /**
     * Fills {@code yuv} with {@code image} as limited-range BT.709 YUV 4:2:0, the form H.264 players
     * expect; the encoder tags its stream the same way. A {@code yuv} that already holds a buffer of
     * this size is written in place (copied first only if someone else still references it), so a
     * segment's frames reuse one RGB and one YUV buffer instead of allocating 9 MB per 1080p frame.
     */
    void toYuv420(Image image, AVFrame yuv) {
        int width = image.width();
        int height = image.height();
        if (!reuseBuffers || rgb.width() != width || rgb.height() != height || rgb.buf(0) == null) {
            av_frame_unref(rgb);
            rgb.format(AV_PIX_FMT_RGB24).width(width).height(height);
            rgb.colorspace(AVCOL_SPC_RGB).color_range(AVCOL_RANGE_JPEG);
            rgb.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709);
            check(av_frame_get_buffer(rgb, 0), "allocate an RGB frame");
        }
        BytePointer data = rgb.data(0);
        int stride = rgb.linesize(0);
        int row = width * 3;
        byte[] src = image.rgb();
        if (stride == row) {
            data.position(0).put(src, 0, row * height);
        } else {
            for (int y = 0; y < height; y++) {
                data.position((long) y * stride).put(src, y * row, row);
            }
        }
        boolean reuse = reuseBuffers
                && yuv.buf(0) != null
                && yuv.width() == width
                && yuv.height() == height
                && yuv.format() == AV_PIX_FMT_YUV420P;
        if (reuse) {
            check(av_frame_make_writable(yuv), "make a YUV frame writable");
        } else {
            av_frame_unref(yuv);
            yuv.format(AV_PIX_FMT_YUV420P).width(width).height(height);
            yuv.colorspace(AVCOL_SPC_BT709).color_range(AVCOL_RANGE_MPEG);
            yuv.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709);
        }
        check(sws_scale_frame(sws, yuv, rgb), "convert an RGB frame to YUV 4:2:0");
        if (!reuseBuffers) {
            av_frame_unref(rgb);
        }
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("libswscale could not " + what + ": " + Av.describe(ret));
        }
    }

    @Override
    public void close() {
        av_frame_free(rgb);
        sws_free_context(sws);
    }
}
