package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_close_dyn_buf;
import static org.bytedeco.ffmpeg.global.avformat.avio_open_dyn_buf;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_PRI_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_TRC_BT709;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.sdatc.enhancer.tensor.Image;

/**
 * Encodes frames one at a time into a single in-memory MPEG-TS segment: one closed GOP, H.264,
 * starting with an IDR frame. Used by {@link SegmentEncoder} (a frame list), {@link SegmentCutter}
 * (frames streamed from a file) and the stream processor and {@code enhance} (enhanced frames as
 * they come out of the windows), so a segment never has to sit in memory as RGB.
 *
 * <p>Timestamps: the codec runs in the caller's time base and each frame keeps the caller's PTS.
 * Three things would otherwise move them: (1) B-frames make DTS run behind PTS, so a first frame at
 * PTS 0 would get a negative DTS and libavformat would shift the whole segment ({@code
 * avoid_negative_ts}); we encode without B-frames, so DTS = PTS. (2) The MPEG-TS muxer adds {@code
 * max_delay} to every timestamp unless {@code copyts} is set; we set {@code copyts=1} and {@code
 * max_delay=0}. (3) The muxer's clock is 1/90000: PTS in another time base are rescaled to it, so
 * they are equal in value exactly when the caller's time base is 1/90000 (the MPEG-TS case).
 */
public final class TsSegmentWriter implements AutoCloseable {
    private final AVCodecContext encoder;
    private final AVFormatContext muxer;
    private final AVStream stream;
    private final AVFrame yuv = av_frame_alloc();
    private final AVPacket packet = av_packet_alloc();
    private final FrameScaler scaler;
    private final int width;
    private final int height;
    private final long frameDuration;
    private int frames;
    private long lastPts = Long.MIN_VALUE;
    private boolean finished;

    public TsSegmentWriter(
            int width, int height, Rational timeBase, Rational frameRate, int gopFrames, EncoderSettings s) {
        this(width, height, timeBase, frameRate, gopFrames, s, FrameScaler.forEncoding());
    }

    /** With the RGB to YUV converter given (EncodeBench compares converters); takes ownership of it. */
    TsSegmentWriter(
            int width,
            int height,
            Rational timeBase,
            Rational frameRate,
            int gopFrames,
            EncoderSettings s,
            FrameScaler scaler) {
        this.scaler = scaler;
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(
                    "H.264 4:2:0 needs even frame sizes, got " + width + "x" + height + "; crop or scale by one pixel");
        }
        if (frameRate.num() == 0) {
            throw new IllegalArgumentException("frame rate must be positive, got " + frameRate);
        }
        this.width = width;
        this.height = height;
        AVCodec codec = SegmentEncoder.findEncoder(s);
        AVRational tb = Av.avRational(timeBase);
        this.frameDuration = Math.max(1, av_rescale_q(1, Av.avRational(invert(frameRate)), tb));
        encoder = avcodec_alloc_context3(codec);
        AVFormatContext createdMuxer = null;
        try {
            encoder.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P);
            encoder.time_base(tb).framerate(Av.avRational(frameRate));
            encoder.colorspace(AVCOL_SPC_BT709).color_range(AVCOL_RANGE_MPEG);
            encoder.color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709);
            // One GOP per segment: the only keyframe is the first frame.
            encoder.gop_size(Math.max(1, gopFrames)).keyint_min(Math.max(1, gopFrames));
            encoder.max_b_frames(0);
            if ("libx264".equals(s.codecName())) {
                check(av_opt_set(encoder.priv_data(), "preset", s.preset(), 0), "set preset " + s.preset());
                check(av_opt_set(encoder.priv_data(), "crf", Integer.toString(s.crf()), 0), "set crf");
                // No scene-cut keyframes inside a segment, no open GOPs, no B-frames (see class comment);
                // log=1 keeps x264's warnings but not its per-segment statistics.
                String own = "scenecut=0:open-gop=0:bframes=0:log=1";
                String params = s.x264Params().isBlank() ? own : s.x264Params() + ":" + own;
                check(av_opt_set(encoder.priv_data(), "x264-params", params, 0), "set x264-params " + params);
            }
            encoder.thread_count(s.threads());
            check(avcodec_open2(encoder, codec, (AVDictionary) null), "open encoder " + s.codecName());

            AVFormatContext m = new AVFormatContext(null);
            check(avformat_alloc_output_context2(m, null, "mpegts", null), "create the MPEG-TS muxer");
            createdMuxer = m;
            m.max_delay(0);
            stream = avformat_new_stream(m, null);
            check(avcodec_parameters_from_context(stream.codecpar(), encoder), "copy encoder parameters");
            stream.time_base(tb);
            AVIOContext io = new AVIOContext(null);
            check(avio_open_dyn_buf(io), "open an in-memory output");
            m.pb(io);
            AVDictionary options = new AVDictionary(null);
            av_dict_set(options, "copyts", "1", 0);
            int ret = avformat_write_header(m, options);
            av_dict_free(options);
            check(ret, "write the MPEG-TS header");
            muxer = m;
        } catch (RuntimeException e) {
            freeMuxer(createdMuxer);
            releaseCodec();
            throw e;
        }
    }

    /** Appends one frame; PTS must increase. */
    public void write(Image image, long pts) {
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException("frame " + frames + " is " + image.width() + "x" + image.height()
                    + " but the segment is " + width + "x" + height);
        }
        if (pts < 0 || pts <= lastPts) {
            throw new IllegalArgumentException("frame " + frames + " has pts " + pts + " after " + lastPts
                    + "; timestamps must be non-negative and increase");
        }
        scaler.toYuv420(image, yuv);
        yuv.pts(pts).duration(frameDuration);
        // The frame is reused: only the first one is forced to be a keyframe.
        yuv.pict_type(frames == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        check(avcodec_send_frame(encoder, yuv), "encode frame " + frames);
        drain();
        frames++;
        lastPts = pts;
    }

    /** Flushes the encoder and returns the complete segment. */
    public byte[] finish() {
        if (frames == 0) {
            throw new IllegalArgumentException("a segment needs at least one frame");
        }
        check(avcodec_send_frame(encoder, null), "flush the encoder");
        drain();
        check(av_write_trailer(muxer), "finish the MPEG-TS segment");
        finished = true;
        return takeBytes();
    }

    public int frameCount() {
        return frames;
    }

    private void drain() {
        while (true) {
            int ret = avcodec_receive_packet(encoder, packet);
            if (ret == Av.EAGAIN || ret == AVERROR_EOF) {
                return;
            }
            check(ret, "receive an encoded packet");
            av_packet_rescale_ts(packet, encoder.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            ret = av_interleaved_write_frame(muxer, packet);
            av_packet_unref(packet);
            check(ret, "write a packet to MPEG-TS");
        }
    }

    private byte[] takeBytes() {
        PointerPointer<BytePointer> buffer = new PointerPointer<>(1);
        int size = avio_close_dyn_buf(muxer.pb(), buffer);
        muxer.pb(null);
        BytePointer data = new BytePointer(buffer.get(0)).capacity(size);
        byte[] out = new byte[size];
        data.get(out);
        av_free(data);
        buffer.close();
        return out;
    }

    private static Rational invert(Rational r) {
        return new Rational(r.den(), r.num());
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("FFmpeg could not " + what + ": " + Av.describe(ret));
        }
    }

    private static void freeMuxer(AVFormatContext m) {
        if (m == null) {
            return;
        }
        if (m.pb() != null) {
            PointerPointer<BytePointer> buffer = new PointerPointer<>(1);
            avio_close_dyn_buf(m.pb(), buffer);
            av_free(buffer.get(0));
            buffer.close();
            m.pb(null);
        }
        avformat_free_context(m);
    }

    private void releaseCodec() {
        avcodec_free_context(encoder);
        av_frame_free(yuv);
        av_packet_free(packet);
        scaler.close();
    }

    @Override
    public void close() {
        if (!finished && muxer.pb() != null) {
            // Abandoned mid-segment: discard the partial output.
            freeMuxer(muxer);
        } else {
            avformat_free_context(muxer);
        }
        releaseCodec();
    }
}
