package org.sdatc.enhancer.window;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
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
 *
 * <p>Frames stream through: they are read as the next window needs them and enhanced frames are
 * handed on as each window emits them, so at any time only about two windows of low-resolution
 * frames and one window of enhanced frames are held, however long the segment (a segment of 600
 * frames at 960x540 would otherwise take 0.9 GB as RGB in and 15 GB out).
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

    /**
     * One low-resolution frame of a segment.
     *
     * @param motion its motion relative to the frame before it in the segment, or null
     */
    public record Frame(Image image, MotionField motion) {}

    /** A segment's frames in display order, read one at a time. */
    @FunctionalInterface
    public interface Frames {
        /** The next frame, or null after the last. */
        Frame next();
    }

    /** The enhanced frames (one per input frame, in order), what to carry on, and the time spent. */
    public record Result(List<Image> frames, Continuity next, StageTimings timings, int windows) {}

    /** How a streamed segment went: frames emitted, what to carry on, time spent, windows run. */
    public record Outcome(int frames, Continuity next, StageTimings timings, int windows) {}

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
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("stream " + streamId + " seq " + sequence + ": no frames");
        }
        Iterator<Image> images = frames.iterator();
        Iterator<MotionField> fields = motion == null ? null : motion.iterator();
        List<Image> enhanced = new ArrayList<>(frames.size());
        Outcome outcome = stream(
                streamId,
                sequence,
                () -> images.hasNext() ? new Frame(images.next(), fields == null ? null : fields.next()) : null,
                motion != null,
                previous,
                hints,
                enhanced::add);
        return new Result(enhanced, outcome.next(), outcome.timings(), outcome.windows());
    }

    /**
     * Enhances a segment whose frames come one at a time, handing each enhanced frame to {@code
     * sink} in display order as soon as its window is done. The windows are those {@link
     * WindowPlanner#plan} forms for the whole segment: frames are read ahead only as far as that
     * needs ({@code length} past the next frame to emit), and dropped once no later window can use
     * them.
     *
     * @param frames at least one frame, with the decoder's motion when the enhancer {@link
     *     Enhancer#wantsMotionVectors() wants it}; exceptions it throws (a damaged frame) end the
     *     segment and propagate, after some frames may have gone to {@code sink}
     */
    public Outcome enhance(
            String streamId,
            long sequence,
            Frames frames,
            Continuity previous,
            CompressionHints hints,
            Consumer<Image> sink) {
        return stream(streamId, sequence, frames, true, previous, hints, sink);
    }

    private Outcome stream(
            String streamId,
            long sequence,
            Frames frames,
            boolean motionGiven,
            Continuity previous,
            CompressionHints hints,
            Consumer<Image> sink) {
        boolean withMotion = motionGiven && enhancer.wantsMotionVectors();
        int tailCount = previous.tail().size();
        // Frames of the planned sequence (tail, then segment) a window may still need: indices base.. .
        ArrayDeque<Frame> held = new ArrayDeque<>();
        List<Frame> window = new ArrayList<>();
        for (Image t : previous.tail()) {
            held.add(new Frame(t, null));
        }
        int base = 0;
        int read = tailCount;
        boolean ended = false;
        int next = tailCount;
        int emitted = 0;
        int windows = 0;
        StageTimings timings = new StageTimings();
        byte[] carry = tailCount == 0 ? null : previous.carry();
        while (true) {
            while (!ended && read < next + planner.length()) {
                Frame f = frames.next();
                if (f == null) {
                    ended = true;
                } else {
                    held.add(f);
                    read++;
                }
            }
            if (next >= read) {
                break;
            }
            WindowSpan span = planner.window(next, read);
            int[] indices = span.frames();
            window.clear();
            for (int i : indices) {
                window.add(at(held, i - base));
            }
            List<Image> images = new ArrayList<>(window.size());
            for (Frame f : window) {
                images.add(f.image());
            }
            WindowOutput out = enhancer.enhance(new WindowInput(
                    new WindowId(streamId, sequence, windows),
                    images,
                    span.emitStart(),
                    span.emitCount(),
                    carry,
                    hints,
                    withMotion ? windowMotion(indices, tailCount, window) : null));
            if (out.frames().size() != span.emitCount()) {
                throw new IllegalStateException(enhancer.info().model() + " returned "
                        + out.frames().size() + " frames for a window that emits " + span.emitCount());
            }
            out.frames().forEach(sink);
            emitted += out.frames().size();
            timings.addAll(out.timings());
            carry = out.carry();
            windows++;
            next += span.emitCount();
            // Later windows start at or after next + 1 - length, and the tail is among those frames.
            while (base < next + 1 - planner.length() && !held.isEmpty()) {
                held.removeFirst();
                base++;
            }
        }
        if (emitted == 0) {
            throw new IllegalArgumentException("stream " + streamId + " seq " + sequence + ": no frames");
        }
        int keep = planner.tailAfter(tailCount, read - tailCount);
        List<Image> tail = new ArrayList<>(keep);
        for (int i = read - keep; i < read; i++) {
            tail.add(at(held, i - base).image());
        }
        return new Outcome(emitted, new Continuity(tail, carry), timings, windows);
    }

    private static Frame at(ArrayDeque<Frame> held, int offset) {
        // A deque has no index; windows are a few frames long and the held frames about two windows.
        Iterator<Frame> it = held.iterator();
        for (int i = 0; i < offset; i++) {
            it.next();
        }
        return it.next();
    }

    /**
     * Entry j: the motion of window frame j relative to window frame j - 1, known only when both
     * are consecutive frames of this segment (tail frames come without motion, and a repeated edge
     * frame is not its own successor).
     */
    private static List<MotionField> windowMotion(int[] span, int tailSize, List<Frame> window) {
        List<MotionField> out = new ArrayList<>(span.length);
        out.add(null);
        for (int j = 1; j < span.length; j++) {
            boolean consecutive = span[j] == span[j - 1] + 1 && span[j] - 1 >= tailSize;
            out.add(consecutive ? window.get(j).motion() : null);
        }
        return out;
    }
}
