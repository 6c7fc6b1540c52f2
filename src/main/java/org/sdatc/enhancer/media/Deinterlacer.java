package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avfilter.AV_BUFFERSRC_FLAG_KEEP_REF;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_time_base;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_add_frame_flags;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_create_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_link;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import org.bytedeco.ffmpeg.avfilter.AVFilter;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * FFmpeg's bwdif deinterlacer (Bob Weaver: edge-directed interpolation of the missing field with
 * motion adaptation, from the previous and next frames) as an in-memory filter graph {@code buffer
 * -> bwdif -> buffersink}.
 *
 * <p>{@code mode=send_frame}: one progressive frame out per frame in, carrying the input's PTS, so
 * a segment keeps its frame count and timestamps. {@code deint=interlaced}: frames not flagged
 * interlaced pass through untouched (streams that switch between progressive and interlaced
 * coding). The field order comes from each frame's flags. Output lags input by one frame (the
 * filter looks one frame ahead); {@link #flush()} releases the last one. One instance per stream
 * of frames, all of one size and pixel format.
 */
final class Deinterlacer implements AutoCloseable {
    private static final String FILTER = "bwdif";

    private final AVFilterGraph graph;
    private final AVFilterContext source;
    private final AVFilterContext sink;
    private final AVFrame out = av_frame_alloc();
    private final AVRational timeBase;
    private final String what;

    /**
     * @param first the first frame that will be pushed: sets size, pixel format and aspect ratio
     * @param timeBase unit of the frames' PTS
     * @param what names the input in error messages
     */
    Deinterlacer(AVFrame first, AVRational timeBase, String what) {
        this.what = what;
        this.timeBase = Av.avRational(Av.rational(timeBase));
        AVFilter buffer = avfilter_get_by_name("buffer");
        AVFilter bwdif = avfilter_get_by_name(FILTER);
        AVFilter buffersink = avfilter_get_by_name("buffersink");
        if (buffer == null || bwdif == null || buffersink == null) {
            throw new IllegalStateException("the FFmpeg build on the classpath has no " + FILTER + " filter");
        }
        graph = avfilter_graph_alloc();
        try {
            int sarNum = first.sample_aspect_ratio().num();
            int sarDen = first.sample_aspect_ratio().den();
            String args = "video_size=" + first.width() + "x" + first.height() + ":pix_fmt=" + first.format()
                    + ":time_base=" + timeBase.num() + "/" + timeBase.den()
                    + ":pixel_aspect=" + (sarNum > 0 && sarDen > 0 ? sarNum + "/" + sarDen : "1/1");
            source = new AVFilterContext(null);
            check(avfilter_graph_create_filter(source, buffer, "in", args, null, graph), "create the filter input");
            AVFilterContext deinterlace = new AVFilterContext(null);
            check(
                    avfilter_graph_create_filter(
                            deinterlace, bwdif, FILTER, "mode=send_frame:parity=auto:deint=interlaced", null, graph),
                    "create the " + FILTER + " filter");
            sink = new AVFilterContext(null);
            check(avfilter_graph_create_filter(sink, buffersink, "out", null, null, graph), "create the filter output");
            check(avfilter_link(source, 0, deinterlace, 0), "link the filter input");
            check(avfilter_link(deinterlace, 0, sink, 0), "link the filter output");
            check(avfilter_graph_config(graph, null), "configure the " + FILTER + " filter graph");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Hands one decoded frame to the filter; the caller keeps its own reference. */
    void push(AVFrame frame) {
        check(av_buffersrc_add_frame_flags(source, frame, AV_BUFFERSRC_FLAG_KEEP_REF), "deinterlace a frame");
    }

    /** Signals the end of the input, so the filter releases the frame it holds back. */
    void flush() {
        check(av_buffersrc_add_frame_flags(source, null, 0), "finish deinterlacing");
    }

    /**
     * The next progressive frame (owned by this deinterlacer, valid until the next call), or null;
     * its PTS in the input's time base (bwdif's output clock runs at twice the rate, for field output).
     */
    AVFrame pull() {
        av_frame_unref(out);
        int ret = av_buffersink_get_frame(sink, out);
        if (ret == Av.EAGAIN || ret == AVERROR_EOF) {
            return null;
        }
        check(ret, "take a deinterlaced frame");
        if (out.pts() != AV_NOPTS_VALUE) {
            out.pts(av_rescale_q(out.pts(), av_buffersink_get_time_base(sink), timeBase));
        }
        return out;
    }

    private void check(int ret, String action) {
        if (ret < 0) {
            throw new MediaException(
                    MediaException.Reason.UNDECODABLE,
                    what + ": FFmpeg could not " + action + " (" + Av.describe(ret) + ")");
        }
    }

    @Override
    public void close() {
        av_frame_free(out);
        if (graph != null) {
            avfilter_graph_free(graph);
        }
    }
}
