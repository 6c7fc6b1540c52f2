package org.sdatc.enhancer.window;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a stream into sliding windows, one segment at a time, without waiting for frames of the next
 * segment (live latency) and without emitting any frame twice.
 *
 * <p>The planned sequence is the stream's tail (up to {@code context} frames kept from the previous
 * segment when the stream is continuous) followed by the new segment's frames. Only the segment's
 * frames are emitted, each exactly once, in order. Every window holds {@code length} frames when the
 * sequence has that many: a window is its new frames plus up to {@code context} frames of left
 * context; the last window of a segment borrows more left context instead of shrinking. A sequence
 * shorter than a window repeats its last frame.
 *
 * <pre>
 * length 5, context 2, tail t0 t1, segment s0..s7:
 *   [t0 t1 | s0 s1 s2]        emits s0 s1 s2
 *   [s1 s2 | s3 s4 s5]        emits s3 s4 s5
 *   [s3 s4 s5 | s6 s7]        emits s6 s7   (extra left context keeps 5 frames)
 * </pre>
 */
public final class WindowPlanner {
    private final int length;
    private final int context;

    public WindowPlanner(int length, int context) {
        if (length < 1) {
            throw new IllegalArgumentException("window length must be at least 1, got " + length);
        }
        if (context < 0 || context >= length) {
            throw new IllegalArgumentException(
                    "window context must be in [0, " + (length - 1) + "] for length " + length + ", got " + context);
        }
        this.length = length;
        this.context = context;
    }

    public int length() {
        return length;
    }

    /** How many frames of a segment to keep as the next segment's left context. */
    public int context() {
        return context;
    }

    /**
     * Plans the windows of one segment.
     *
     * @param tailCount frames kept from the previous segment (0 when the stream is not continuous)
     * @param segmentCount frames in the new segment, at least 1
     */
    public List<WindowSpan> plan(int tailCount, int segmentCount) {
        if (tailCount < 0 || segmentCount < 1) {
            throw new IllegalArgumentException(
                    "need tailCount >= 0 and segmentCount >= 1, got " + tailCount + " and " + segmentCount);
        }
        int total = tailCount + segmentCount;
        List<WindowSpan> windows = new ArrayList<>();
        int next = tailCount;
        while (next < total) {
            WindowSpan span = window(next, total);
            windows.add(span);
            next += span.emitCount();
        }
        return windows;
    }

    /**
     * The window that emits frames from {@code next} on, as {@link #plan} forms it. It depends on the
     * sequence's length only through whether {@code length} frames are left from {@code next}, so a
     * caller reading frames as they come may pass any {@code total >= next + length} until the
     * sequence ends, and the true total after: that is how a segment is enhanced without holding it.
     *
     * @param next index in the planned sequence of the first frame to emit, {@code < total}
     * @param total frames in the planned sequence, or at least {@code next + length} of them
     */
    public WindowSpan window(int next, int total) {
        if (next < 0 || next >= total) {
            throw new IllegalArgumentException("need 0 <= next < total, got " + next + " and " + total);
        }
        int left = Math.min(context, next);
        int fresh = Math.min(length - left, total - next);
        int start = next - left;
        int end = next + fresh;
        // Not enough new frames to fill the window: borrow more left context.
        start = Math.max(0, Math.min(start, end - length));
        int[] frames = new int[length];
        for (int i = 0; i < length; i++) {
            frames[i] = Math.min(start + i, end - 1);
        }
        return new WindowSpan(frames, next - start, fresh);
    }

    /** How many frames of the planned sequence to keep as tail after this segment. */
    public int tailAfter(int tailCount, int segmentCount) {
        return Math.min(context, tailCount + segmentCount);
    }
}
