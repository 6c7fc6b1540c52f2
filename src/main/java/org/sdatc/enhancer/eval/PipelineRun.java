package org.sdatc.enhancer.eval;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;

/**
 * Runs one method over one low-resolution stream through the per-segment pipeline that {@code
 * enhance} and the stream processor share: each segment decoded by {@link SegmentDecoder} (with
 * motion vectors when the enhancer wants them), then enhanced window by window by {@link
 * SegmentEnhancer}, carrying the tail frames and the enhancer's state from one segment to the next
 * as a continuous stream does. Each segment goes with the encoder hints a live producer sends (its
 * CRF). Only decoding and enhancing are timed; the frame sink (metrics) runs outside the clock.
 * {@link #warmUp} runs one untimed window first, so that JIT compilation and ONNX Runtime's first
 * allocations do not land on whichever clip happens to come first.
 */
public final class PipelineRun {
    /** Receives every frame in display order: the decoded low-resolution input and the method's output. */
    public interface FrameSink {
        void accept(int index, Image lowRes, Image output);
    }

    /**
     * Time spent on a run.
     *
     * @param stageNanos total per stage: {@code decode}, then the enhancer's own (stages may nest: the
     *     SDATC sampler's time includes its UNet steps)
     * @param wallNanos decode plus enhance, wall clock
     */
    public record Timing(int frames, Map<Stage, Long> stageNanos, long wallNanos) {
        public Timing {
            stageNanos = Map.copyOf(stageNanos);
        }

        public double msPerFrame() {
            return wallNanos / 1e6 / frames;
        }

        public double msPerFrame(Stage stage) {
            return stageNanos.getOrDefault(stage, 0L) / 1e6 / frames;
        }
    }

    private PipelineRun() {}

    /** Enhances the first window of {@code stream}'s first segment and throws the result away. */
    public static void warmUp(Method method, DegradedClip stream) {
        CutSegment first = stream.segments().get(0);
        DecodedSegment decoded = decode(new SegmentDecoder(method.enhancer().wantsMotionVectors()), first);
        int n = Math.min(method.windowLength(), decoded.frames().size());
        List<MotionField> motion =
                decoded.motion() == null ? null : decoded.motion().subList(0, n);
        new SegmentEnhancer(new WindowPlanner(method.windowLength(), method.windowContext()), method.enhancer())
                .enhance(
                        "eval/warm-up",
                        0,
                        decoded.frames().subList(0, n),
                        motion,
                        SegmentEnhancer.Continuity.EMPTY,
                        CompressionHints.NONE);
    }

    private static DecodedSegment decode(SegmentDecoder decoder, CutSegment segment) {
        return decoder.decode(
                segment.payload(),
                ContainerFormat.MPEGTS,
                VideoCodec.H264,
                new DecodeLimits(segment.width(), segment.height(), segment.frameCount(), segment.payload().length));
    }

    public static Timing run(Method method, DegradedClip stream, String streamId, FrameSink sink) {
        SegmentDecoder decoder = new SegmentDecoder(method.enhancer().wantsMotionVectors());
        SegmentEnhancer enhancer = new SegmentEnhancer(
                new WindowPlanner(method.windowLength(), method.windowContext()), method.enhancer());
        CompressionHints hints =
                new CompressionHints(OptionalInt.of(stream.crf()), OptionalInt.empty(), OptionalLong.empty());
        Map<Stage, Long> stages = new EnumMap<>(Stage.class);
        SegmentEnhancer.Continuity continuity = SegmentEnhancer.Continuity.EMPTY;
        long wall = 0;
        int index = 0;
        List<CutSegment> segments = stream.segments();
        for (int seq = 0; seq < segments.size(); seq++) {
            CutSegment segment = segments.get(seq);
            long start = System.nanoTime();
            DecodedSegment decoded = decode(decoder, segment);
            long decodedAt = System.nanoTime();
            SegmentEnhancer.Result result =
                    enhancer.enhance(streamId, seq, decoded.frames(), decoded.motion(), continuity, hints);
            long end = System.nanoTime();
            wall += end - start;
            stages.merge(Stage.DECODE, decodedAt - start, Long::sum);
            result.timings().asMap().forEach((stage, nanos) -> stages.merge(stage, nanos, Long::sum));
            continuity = result.next();
            for (int i = 0; i < result.frames().size(); i++) {
                sink.accept(index++, decoded.frames().get(i), result.frames().get(i));
            }
        }
        return new Timing(index, stages, wall);
    }
}
