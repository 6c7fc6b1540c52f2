package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Joins H.264 MPEG-TS segments into one MP4 file by remuxing their packets: no decoding, no
 * re-encoding, so the file holds exactly the frames the service published. The MP4 muxer turns the
 * Annex B stream into avcC form itself, from the parameter sets FFmpeg's probe extracts from the
 * first segment. Timestamps are kept; a segment whose timestamps would go back (a gap-reset stream,
 * a replay) is shifted to follow the previous one, so the file always plays forward.
 *
 * <p>Not thread-safe: one joiner per output file.
 */
public final class SegmentJoiner implements AutoCloseable {
    private final Path output;
    private AVFormatContext muxer;
    private AVStream outStream;
    private int width;
    private int height;
    private long lastDts = Long.MIN_VALUE;
    private long lastDuration;
    private int segments;
    private long packets;
    private boolean closed;

    public SegmentJoiner(Path outputMp4) {
        this.output = Objects.requireNonNull(outputMp4, "outputMp4");
    }

    /** Appends every video packet of one segment; all segments must share codec and frame size. */
    public void append(byte[] mpegTsPayload) {
        if (closed) {
            throw new IllegalStateException("joiner for " + output + " is closed");
        }
        String what = "segment " + segments + " for " + output;
        try (MemoryInput input = MemoryInput.open(mpegTsPayload, "mpegts", "MPEG-TS");
                VideoReader reader = new VideoReader(input.format(), what, Integer.MAX_VALUE)) {
            AVCodecParameters params = reader.params();
            if (muxer == null) {
                openOutput(params);
            } else if (params.width() != width || params.height() != height) {
                throw new IllegalArgumentException(what + " is " + params.width() + "x" + params.height()
                        + " but the file is " + width + "x" + height + "; an MP4 track has one frame size");
            }
            copyPackets(input.format(), reader.stream(), reader.frameRate());
            segments++;
        }
    }

    private void openOutput(AVCodecParameters params) {
        AVFormatContext m = new AVFormatContext(null);
        check(avformat_alloc_output_context2(m, null, "mp4", output.toString()), "create an MP4 muxer");
        try {
            AVStream stream = avformat_new_stream(m, null);
            check(avcodec_parameters_copy(stream.codecpar(), params), "copy the stream parameters");
            // Let the MP4 muxer choose its own tag (avc1) instead of the TS stream type.
            stream.codecpar().codec_tag(0);
            stream.time_base(Av.avRational(Rational.MPEGTS_TIME_BASE));
            AVIOContext io = new AVIOContext(null);
            check(avio_open(io, output.toString(), AVIO_FLAG_WRITE), "open " + output + " for writing");
            m.pb(io);
            check(avformat_write_header(m, (AVDictionary) null), "write the MP4 header");
            outStream = stream;
        } catch (RuntimeException e) {
            if (m.pb() != null) {
                avio_closep(m.pb());
            }
            avformat_free_context(m);
            throw e;
        }
        muxer = m;
        width = params.width();
        height = params.height();
    }

    private void copyPackets(AVFormatContext in, AVStream inStream, Rational frameRate) {
        AVPacket packet = av_packet_alloc();
        try {
            AVRational inTb = inStream.time_base();
            AVRational outTb = outStream.time_base();
            // MPEG-TS carries no packet durations; the MP4 edit list would leave out a last frame
            // of duration 0, so every packet gets one frame's duration when it has none.
            long frameDuration = frameRate == null
                    ? 0
                    : av_rescale_q(1, Av.avRational(new Rational(frameRate.den(), frameRate.num())), outTb);
            long shift = 0;
            boolean first = true;
            while (true) {
                int ret = av_read_frame(in, packet);
                if (ret == AVERROR_EOF) {
                    return;
                }
                if (ret < 0) {
                    throw new MediaException(
                            MediaException.Reason.UNDECODABLE,
                            "a segment for " + output + " could not be read to the end: " + Av.describe(ret));
                }
                try {
                    if (packet.stream_index() != inStream.index()) {
                        continue;
                    }
                    av_packet_rescale_ts(packet, inTb, outTb);
                    if (packet.dts() == AV_NOPTS_VALUE) {
                        packet.dts(packet.pts());
                    }
                    if (first && lastDts != Long.MIN_VALUE && packet.dts() <= lastDts) {
                        shift = lastDts + Math.max(1, lastDuration) - packet.dts();
                    }
                    first = false;
                    packet.pts(packet.pts() + shift).dts(packet.dts() + shift);
                    lastDts = packet.dts();
                    if (packet.duration() <= 0) {
                        packet.duration(frameDuration > 0 ? frameDuration : lastDuration);
                    }
                    lastDuration = packet.duration();
                    packet.stream_index(outStream.index());
                    packet.pos(-1);
                    check(av_interleaved_write_frame(muxer, packet), "write a packet to " + output);
                    packets++;
                } finally {
                    av_packet_unref(packet);
                }
            }
        } finally {
            av_packet_free(packet);
        }
    }

    /** Packets written so far (one per frame for H.264 from {@link SegmentEncoder}). */
    long packetCount() {
        return packets;
    }

    /** Writes the MP4 index and closes the file. A joiner that got no segment writes no file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (muxer == null) {
            return;
        }
        try {
            check(av_write_trailer(muxer), "finish " + output);
        } finally {
            avio_closep(muxer.pb());
            avformat_free_context(muxer);
            muxer = null;
        }
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("FFmpeg could not " + what + ": " + Av.describe(ret));
        }
    }
}
