package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_get_level;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.util.List;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.sdatc.enhancer.tensor.Image;

/**
 * Encodes RGB24 frames into one self-contained H.264 MPEG-TS segment in memory: a single closed GOP
 * that starts with an IDR frame, each frame at exactly the PTS it was given (see {@link
 * TsSegmentWriter} for how the muxer is kept from shifting them).
 *
 * <p>Stateless and thread-safe: each call owns and frees its native encoder and muxer.
 */
public final class SegmentEncoder {
    /**
     * Fails at start-up, not on the first segment, when the FFmpeg build lacks the encoder: the
     * default (LGPL) JavaCPP build has no libx264 and JavaCV would silently fall back to mpeg2video.
     */
    public static void requireEncoder(EncoderSettings s) {
        findEncoder(s);
        // Open it once on a tiny frame, so a preset it rejects fails here, not on a segment. x264 skips
        // an option it cannot parse with a warning: let warnings through for this one open, so that a
        // typo in sdatc.encoder.x264.params shows at start-up.
        int level = av_log_get_level();
        av_log_set_level(Math.max(level, AV_LOG_WARNING));
        try (TsSegmentWriter probe =
                new TsSegmentWriter(64, 64, Rational.MPEGTS_TIME_BASE, new Rational(25, 1), 1, s)) {
            probe.frameCount();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "encoder " + s.codecName() + " rejects preset '" + s.preset() + "', crf " + s.crf() + ", threads "
                            + s.threads() + (s.x264Params().isEmpty() ? "" : ", x264 params '" + s.x264Params() + "'")
                            + " (sdatc.encoder.*): " + e.getMessage(),
                    e);
        } finally {
            av_log_set_level(level);
        }
    }

    static AVCodec findEncoder(EncoderSettings s) {
        AVCodec codec = avcodec_find_encoder_by_name(s.codecName());
        if (codec == null) {
            throw new IllegalStateException("FFmpeg has no encoder named '" + s.codecName() + "'. For libx264 put"
                    + " org.bytedeco:ffmpeg:8.1.2-1.5.14:linux-x86_64-gpl on the classpath (the default build has"
                    + " no GPL encoders), or choose another H.264 encoder");
        }
        if (codec.id() != AV_CODEC_ID_H264) {
            throw new IllegalStateException(
                    "encoder '" + s.codecName() + "' does not produce H.264; segments must be H.264");
        }
        return codec;
    }

    /**
     * @param frames frames in display order, all the same even size
     * @param pts one increasing, non-negative timestamp per frame in {@code timeBase} units
     * @return H.264 in MPEG-TS; with timeBase 1/90000 its PTS equal {@code pts}
     */
    public byte[] encode(List<Image> frames, long[] pts, Rational timeBase, Rational frameRate, EncoderSettings s) {
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(pts, "pts");
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("cannot encode a segment with no frames");
        }
        if (pts.length != frames.size()) {
            throw new IllegalArgumentException(
                    "need one pts per frame, got " + pts.length + " for " + frames.size() + " frames");
        }
        Image first = frames.get(0);
        try (TsSegmentWriter writer =
                new TsSegmentWriter(first.width(), first.height(), timeBase, frameRate, frames.size(), s)) {
            for (int i = 0; i < frames.size(); i++) {
                writer.write(frames.get(i), pts[i]);
            }
            return writer.finish();
        }
    }
}
