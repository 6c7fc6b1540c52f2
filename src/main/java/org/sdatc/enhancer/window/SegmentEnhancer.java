package org.sdatc.enhancer.window;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

/**
 * Enhances one segment's frames window by window: the stream processor and the offline {@code
 * enhance} command share it, so both produce the same frames from the same input.
 */
public final class SegmentEnhancer {
    private final WindowPlanner planner;
    private final Enhancer enhancer;

    public SegmentEnhancer(WindowPlanner planner, Enhancer enhancer) {
        this.planner = planner;
        this.enhancer = enhancer;
    }

    /**
     * What a stream carries from one segment to the next: its last low-resolution frames and the
     * enhancer's carried state. {@link #EMPTY} when the stream is not continuous.
     */
    public record Continuity(List<Image> tail, byte[] carry) {
        public static final Continuity EMPTY = new Continuity(List.of(), null);

        public Continuity {
            tail = List.copyOf(tail);
        }
    }

    /** The enhanced frames (one per input frame, in order), what to carry on, and the time spent. */
    public record Result(List<Image> frames, Continuity next, StageTimings timings, int windows) {}

    public Result enhance(
            String streamId, long sequence, List<Image> frames, Continuity previous, CompressionHints hints) {
        return enhance(streamId, sequence, frames, null, previous, hints);
    }

    /**
     * As {@link #enhance(String, long, List, Continuity, CompressionHints)}, handing each window
     * the decoder's motion fields of its frames when the enhancer {@link
     * Enhancer#wantsMotionVectors() wants them}.
     *
     * @param motion null, or one entry per segment frame (its motion relative to the frame before
     *     it, null where the decoder gave none), as {@code DecodedSegment.motion()}
     */
    public Result enhance(
            String streamId,
            long sequence,
            List<Image> frames,
            List<MotionField> motion,
            Continuity previous,
            CompressionHints hints) {
        if (motion != null && motion.size() != frames.size()) {
            throw new IllegalArgumentException("stream " + streamId + " seq " + sequence + ": " + motion.size()
                    + " motion entries for " + frames.size() + " frames");
        }
        boolean withMotion = motion != null && enhancer.wantsMotionVectors();
        List<Image> sequenceFrames = new ArrayList<>(previous.tail());
        sequenceFrames.addAll(frames);
        List<Image> enhanced = new ArrayList<>(frames.size());
        StageTimings timings = new StageTimings();
        byte[] carry = previous.tail().isEmpty() ? null : previous.carry();
        List<WindowSpan> plan = planner.plan(previous.tail().size(), frames.size());
        for (int w = 0; w < plan.size(); w++) {
            WindowSpan span = plan.get(w);
            List<Image> window = new ArrayList<>(span.length());
            for (int i : span.frames()) {
                window.add(sequenceFrames.get(i));
            }
            List<MotionField> windowMotion =
                    withMotion ? windowMotion(span.frames(), previous.tail().size(), motion) : null;
            WindowOutput out = enhancer.enhance(new WindowInput(
                    new WindowId(streamId, sequence, w),
                    window,
                    span.emitStart(),
                    span.emitCount(),
                    carry,
                    hints,
                    windowMotion));
            if (out.frames().size() != span.emitCount()) {
                throw new IllegalStateException(enhancer.info().model() + " returned "
                        + out.frames().size() + " frames for a window that emits " + span.emitCount());
            }
            enhanced.addAll(out.frames());
            timings.addAll(out.timings());
            carry = out.carry();
        }
        int keep = planner.tailAfter(previous.tail().size(), frames.size());
        List<Image> tail = sequenceFrames.subList(sequenceFrames.size() - keep, sequenceFrames.size());
        return new Result(enhanced, new Continuity(tail, carry), timings, plan.size());
    }

    /**
     * Entry j: the motion of window frame j relative to window frame j - 1, known only when both
     * are consecutive frames of this segment (tail frames come without motion, and a repeated edge
     * frame is not its own successor).
     */
    private static List<MotionField> windowMotion(int[] span, int tailSize, List<MotionField> motion) {
        List<MotionField> out = new ArrayList<>(span.length);
        out.add(null);
        for (int j = 1; j < span.length; j++) {
            boolean consecutive = span[j] == span[j - 1] + 1 && span[j] - 1 >= tailSize;
            out.add(consecutive ? motion.get(span[j] - tailSize) : null);
        }
        return out;
    }
}
