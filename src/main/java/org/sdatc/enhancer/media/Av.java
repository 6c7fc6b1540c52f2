package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avutil;

/** Small conversions shared by the FFmpeg-facing classes of this package. */
final class Av {
    /** AV_FRAME_FLAG_CORRUPT (1 << 0) from libavutil/frame.h; the preset does not export it. */
    static final int FRAME_FLAG_CORRUPT = 1;

    /** AV_FRAME_FLAG_INTERLACED (1 << 3): the frame holds two interleaved fields. */
    static final int FRAME_FLAG_INTERLACED = 1 << 3;

    /** AV_FRAME_FLAG_TOP_FIELD_FIRST (1 << 4): of an interlaced frame, the top field comes first. */
    static final int FRAME_FLAG_TOP_FIELD_FIRST = 1 << 4;

    static final int EAGAIN = avutil.AVERROR_EAGAIN();

    private Av() {}

    /** FFmpeg's own words for an error code, for messages. */
    static String describe(int errorCode) {
        byte[] buf = new byte[256];
        av_strerror(errorCode, buf, buf.length);
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8) + " (" + errorCode + ")";
    }

    static Rational rational(AVRational r) {
        return new Rational(r.num(), r.den());
    }

    /** A native AVRational; JavaCPP frees it with the owning object graph (it is a tiny struct). */
    static AVRational avRational(Rational r) {
        return avutil.av_make_q(r.num(), r.den());
    }

    static boolean valid(AVRational r) {
        return r != null && r.num() > 0 && r.den() > 0;
    }
}
