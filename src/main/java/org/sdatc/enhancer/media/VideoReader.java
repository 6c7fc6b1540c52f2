package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG2_EXPORT_MVS;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_EXPLODE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_CORRUPT;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.av_parser_close;
import static org.bytedeco.ffmpeg.global.avcodec.av_parser_init;
import static org.bytedeco.ffmpeg.global.avcodec.av_parser_parse2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVCodecParserContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes the best video stream of an opened demuxer frame by frame. Two phases so that callers can
 * check the probed stream (codec, frame size) before any frame is decoded: construct (probe), then
 * {@link #openDecoder}, then {@link #next} until null. Does not own the demuxer.
 */
final class VideoReader implements AutoCloseable {
    private final AVFormatContext format;
    private final AVStream stream;
    private final String source;
    private final long maxPixels;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame frame = av_frame_alloc();
    private AVCodecContext decoder;
    private Consumer<int[]> sizeCheck = size -> {};
    private int[] parsedSize = {0, 0};
    private boolean drained;
    private boolean flushed;

    /**
     * Probes the streams. {@code maxPixels} caps the frame area any decoder may allocate, including the
     * ones FFmpeg opens while probing, so a stream that lies about its size cannot make the probe
     * allocate huge frames either.
     */
    VideoReader(AVFormatContext format, String source, long maxPixels) {
        this.format = format;
        this.source = source;
        this.maxPixels = maxPixels;
        int streams = format.nb_streams();
        PointerPointer<AVDictionary> options = new PointerPointer<>(Math.max(1, streams));
        try {
            for (int i = 0; i < streams; i++) {
                AVDictionary dict = new AVDictionary(null);
                av_dict_set(dict, "max_pixels", Long.toString(maxPixels), 0);
                options.put(i, dict);
            }
            int ret = avformat_find_stream_info(format, streams == 0 ? null : options);
            if (ret < 0) {
                close();
                throw new MediaException(
                        format.nb_streams() == 0
                                ? MediaException.Reason.UNSUPPORTED_FORMAT
                                : MediaException.Reason.UNDECODABLE,
                        source + ": FFmpeg could not read the stream parameters (" + Av.describe(ret) + ")");
            }
        } finally {
            for (int i = 0; i < streams; i++) {
                av_dict_free(new AVDictionary(options.get(i)));
            }
            options.close();
        }
        int index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
        if (index < 0) {
            close();
            throw new MediaException(MediaException.Reason.NO_FRAMES, source + " holds no video stream");
        }
        stream = format.streams(index);
    }

    AVStream stream() {
        return stream;
    }

    AVCodecParameters params() {
        return stream.codecpar();
    }

    static String codecName(int codecId) {
        return avcodec_get_name(codecId).getString();
    }

    /**
     * The frame size the stream declares, {width, height}, or zeros when unknown. From the container
     * or the probe when they found it, else from our own bitstream parser run on the packets read so
     * far (the probing decoders refuse an oversized picture, and then the probe reports no size).
     */
    int[] declaredSize() {
        if (params().width() > 0 && params().height() > 0) {
            return new int[] {params().width(), params().height()};
        }
        return parsedSize;
    }

    /**
     * Runs a fresh bitstream parser (lavc's H.264/HEVC parser: headers only, no pictures) over one
     * packet and records the frame size its sequence parameter set declares.
     */
    private void parseSize(AVPacket pkt) {
        AVCodecParserContext parser = av_parser_init(params().codec_id());
        if (parser == null) {
            return;
        }
        AVCodecContext context = avcodec_alloc_context3(null);
        PointerPointer<BytePointer> out = new PointerPointer<>(1);
        IntPointer outSize = new IntPointer(1);
        try {
            BytePointer data = pkt.data();
            int left = pkt.size();
            while (left > 0) {
                int used =
                        av_parser_parse2(parser, context, out, outSize, data, left, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
                if (used <= 0) {
                    break;
                }
                data = data.getPointer(used);
                left -= used;
            }
            // A packet is a whole access unit: flush so the parser reads it even without a successor.
            av_parser_parse2(parser, context, out, outSize, null, 0, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
            if (parser.width() > 0 && parser.height() > 0) {
                parsedSize = new int[] {parser.width(), parser.height()};
            }
        } finally {
            av_parser_close(parser);
            avcodec_free_context(context);
            out.close();
            outSize.close();
        }
    }

    /**
     * Called with {@link #declaredSize()} before each packet goes to the decoder, so a size change
     * inside the segment is also judged before its pictures are decoded.
     */
    void beforeEachPacket(Consumer<int[]> sizeCheck) {
        this.sizeCheck = sizeCheck;
    }

    /** The stream's nominal frame rate, or null when the container does not say. */
    Rational frameRate() {
        if (Av.valid(stream.avg_frame_rate())) {
            return Av.rational(stream.avg_frame_rate());
        }
        if (Av.valid(stream.r_frame_rate())) {
            return Av.rational(stream.r_frame_rate());
        }
        return null;
    }

    /**
     * Opens the decoder. With {@code strict}, damaged data fails decoding (AV_EF_EXPLODE) instead of
     * being concealed: a service must not enhance and republish a half-grey frame.
     */
    void openDecoder(boolean strict) {
        openDecoder(strict, false);
    }

    /**
     * As {@link #openDecoder(boolean)}; with {@code exportMotion} the decoder attaches each frame's
     * motion vectors as side data (read with {@link MotionVectors}). The flag must be set before
     * avcodec_open2: JavaCV's grabber sets it through an option and then returns stale side data.
     */
    void openDecoder(boolean strict, boolean exportMotion) {
        AVCodec codec = avcodec_find_decoder(params().codec_id());
        if (codec == null) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    source + ": this FFmpeg build has no decoder for " + codecName(params().codec_id()));
        }
        decoder = avcodec_alloc_context3(codec);
        avcodec_parameters_to_context(decoder, params());
        decoder.pkt_timebase(stream.time_base());
        decoder.max_pixels(maxPixels);
        decoder.thread_count(0);
        if (strict) {
            decoder.err_recognition(decoder.err_recognition() | AV_EF_EXPLODE);
        }
        if (exportMotion) {
            decoder.flags2(decoder.flags2() | AV_CODEC_FLAG2_EXPORT_MVS);
        }
        int ret = avcodec_open2(decoder, codec, (AVDictionary) null);
        if (ret < 0) {
            throw new MediaException(
                    MediaException.Reason.UNDECODABLE,
                    source + ": could not open the " + codecName(params().codec_id()) + " decoder (" + Av.describe(ret)
                            + ")");
        }
    }

    /** Whether the opened decoder reorders frames (the stream has B frames). */
    boolean reorders() {
        return decoder.has_b_frames() > 0;
    }

    /**
     * The next decoded frame (owned by this reader, valid until the next call), or null at the end.
     * Throws UNDECODABLE when the data is damaged.
     */
    AVFrame next() {
        av_frame_unref(frame);
        while (true) {
            int ret = avcodec_receive_frame(decoder, frame);
            if (ret >= 0) {
                return frame;
            }
            if (ret == AVERROR_EOF) {
                return null;
            }
            if (ret != Av.EAGAIN) {
                throw damaged("the decoder rejected a frame", ret);
            }
            if (drained) {
                if (flushed) {
                    return null;
                }
                flushed = true;
                check(avcodec_send_packet(decoder, null), "the decoder could not finish");
                continue;
            }
            feedOnePacket();
        }
    }

    private void feedOnePacket() {
        while (true) {
            int ret = av_read_frame(format, packet);
            if (ret == AVERROR_EOF) {
                drained = true;
                return;
            }
            if (ret < 0) {
                throw damaged("the container could not be read to the end", ret);
            }
            try {
                if (packet.stream_index() != stream.index()) {
                    continue;
                }
                if ((packet.flags() & AV_PKT_FLAG_CORRUPT) != 0) {
                    throw new MediaException(
                            MediaException.Reason.UNDECODABLE,
                            source + " has a damaged or truncated video packet at byte " + packet.pos()
                                    + "; resend the segment complete");
                }
                if (declaredSize()[0] == 0) {
                    parseSize(packet);
                }
                sizeCheck.accept(declaredSize());
                check(avcodec_send_packet(decoder, packet), "the decoder rejected a packet");
                return;
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private void check(int ret, String what) {
        if (ret < 0 && ret != Av.EAGAIN) {
            throw damaged(what, ret);
        }
    }

    private MediaException damaged(String what, int ret) {
        return new MediaException(
                MediaException.Reason.UNDECODABLE,
                source + " is damaged or truncated: " + what + " (" + Av.describe(ret)
                        + "); resend the segment complete");
    }

    @Override
    public void close() {
        av_frame_free(frame);
        av_packet_free(packet);
        if (decoder != null) {
            avcodec_free_context(decoder);
            decoder = null;
        }
    }
}
