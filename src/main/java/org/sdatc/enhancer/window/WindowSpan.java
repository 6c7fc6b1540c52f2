package org.sdatc.enhancer.window;

import java.util.Arrays;

/**
 * One window of a plan: which frames it holds and which of them it emits.
 *
 * @param frames indices into the planned sequence (tail frames first, then the segment's), in
 *     display order; an index repeats only when the whole sequence is shorter than a window
 * @param emitStart position in {@code frames} of the first emitted frame
 * @param emitCount how many frames the window emits, from {@code emitStart}
 */
public record WindowSpan(int[] frames, int emitStart, int emitCount) {
    public WindowSpan {
        frames = frames.clone();
    }

    @Override
    public int[] frames() {
        return frames.clone();
    }

    public int length() {
        return frames.length;
    }

    /** Index in the planned sequence of the first frame this window emits. */
    public int firstEmitted() {
        return frames[emitStart];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpan w
                && Arrays.equals(frames, w.frames)
                && emitStart == w.emitStart
                && emitCount == w.emitCount;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(frames) + 7 * emitStart + emitCount;
    }

    @Override
    public String toString() {
        return "WindowSpan" + Arrays.toString(frames) + " emit [" + emitStart + ", " + (emitStart + emitCount) + ")";
    }
}
