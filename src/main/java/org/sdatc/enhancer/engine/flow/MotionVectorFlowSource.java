package org.sdatc.enhancer.engine.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Flow from the motion vectors the H.264 decoder already computed ({@link MotionField}), nearly
 * free next to optical flow: the encoder did the motion search.
 *
 * <p><b>Backward flow.</b> A P frame b's vectors point into its predecessor a (b at x looks like
 * a at x + v(x)), which is exactly {@link FlowPair#backward()}. Pixels without a vector
 * (intra-coded blocks) get the frame's median vector (over a 4-pixel grid, the smallest H.264
 * partition), the most likely motion of new content in a panning shot; a field covering less than
 * {@value #MIN_COVERAGE} of the frame (a scene cut coded mostly intra) is not used.
 *
 * <p><b>Forward flow (an approximation).</b> The codec sends no a-to-b vectors, so the forward
 * flow is the backward flow inverted by fixed-point iteration, f(x) = -v(x + f(x)), started from
 * f = -v and run {@value #INVERSION_STEPS} times, on a 4-pixel grid. It is exact for a uniform translation and close
 * wherever motion is smooth across a vector's length; at motion boundaries it blurs. Because the
 * forward flow is derived from the backward one, the forward-backward check of {@link Occlusion}
 * passes almost everywhere: with this source the occlusion masks only drop pixels that leave the
 * frame, and intra blocks are not masked out.
 *
 * <p><b>Fallback.</b> A pair whose later frame has no usable field (the first frame of a segment,
 * a keyframe, B frames, frames from the previous segment's tail, a repeated edge frame, or a
 * sparse field) gets its flow from the fallback source (DIS in the engine), and so does {@link
 * #flows(List)} when no motion is known at all.
 */
public final class MotionVectorFlowSource implements FlowSource {
    /** Least share of pixels a field must cover with real vectors to be used. */
    public static final double MIN_COVERAGE = 0.5;

    static final int INVERSION_STEPS = 3;

    /** Grid on which the forward flow is solved: the smallest H.264 partition. */
    static final int CELL = 4;

    private final FlowSource fallback;

    public MotionVectorFlowSource(FlowSource fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback flow source");
    }

    /** Without motion vectors: all pairs from the fallback source. */
    @Override
    public List<FlowPair> flows(List<Image> frames) {
        return fallback.flows(frames);
    }

    /**
     * Flow of each adjacent pair, from {@code motion.get(i + 1)} (frame i+1 relative to frame i,
     * on frames' grid) where usable, from the fallback source otherwise.
     *
     * @param motion null, or one entry per frame (entry 0 unused), entries may be null
     */
    public List<FlowPair> flows(List<Image> frames, List<MotionField> motion) {
        if (motion == null) {
            return fallback.flows(frames);
        }
        if (motion.size() != frames.size()) {
            throw new IllegalArgumentException(
                    "motion needs one entry per frame, got " + motion.size() + " for " + frames.size() + " frames");
        }
        List<FlowPair> pairs = new ArrayList<>(Math.max(0, frames.size() - 1));
        for (int i = 0; i + 1 < frames.size(); i++) {
            MotionField m = motion.get(i + 1);
            Image b = frames.get(i + 1);
            if (usable(m, b)) {
                pairs.add(pair(m));
            } else {
                pairs.add(fallback.flows(List.of(frames.get(i), b)).get(0));
            }
        }
        return pairs;
    }

    /** Whether {@code m} is a field of {@code frame}'s size covering at least {@link #MIN_COVERAGE}. */
    public static boolean usable(MotionField m, Image frame) {
        return m != null
                && m.width() == frame.width()
                && m.height() == frame.height()
                && m.validFraction() >= MIN_COVERAGE;
    }

    /** The flow pair (previous frame a, this frame b) of one motion field, holes filled. */
    public static FlowPair pair(MotionField m) {
        FlowField backward = new FlowField(filled(m));
        return new FlowPair(invert(backward), backward);
    }

    private static Tensor filled(MotionField m) {
        int w = m.width();
        int h = m.height();
        int plane = w * h;
        float[] v = m.vectors().data().clone();
        float[] valid = m.valid().data();
        float[] xs = new float[(w / 4 + 1) * (h / 4 + 1)];
        float[] ys = new float[xs.length];
        int n = 0;
        for (int y = 0; y < h; y += 4) {
            for (int x = 0; x < w; x += 4) {
                int p = y * w + x;
                if (valid[p] > 0) {
                    xs[n] = v[p];
                    ys[n] = v[plane + p];
                    n++;
                }
            }
        }
        float mx = 0;
        float my = 0;
        if (n > 0) {
            Arrays.sort(xs, 0, n);
            Arrays.sort(ys, 0, n);
            mx = xs[n / 2];
            my = ys[n / 2];
        }
        for (int p = 0; p < plane; p++) {
            if (valid[p] <= 0) {
                v[p] = mx;
                v[plane + p] = my;
            }
        }
        return new Tensor(v, 2, h, w);
    }

    /**
     * The inverse of a backward flow on the other frame's grid: f(x) = -v(x + f(x)) by fixed-point
     * iteration, with v sampled bilinearly and clamped at the edges. Solved once per {@value #CELL}
     * x {@value #CELL} cell (at its centre) and painted over the cell: coded vectors are constant
     * over blocks of at least 4 x 4 pixels, so a per-pixel solve would cost 16 times more for the
     * same field.
     */
    static FlowField invert(FlowField backward) {
        int w = backward.width();
        int h = backward.height();
        int plane = w * h;
        float[] v = backward.data().data();
        float[] f = new float[2 * plane];
        for (int cy = 0; cy < h; cy += CELL) {
            for (int cx = 0; cx < w; cx += CELL) {
                int y1 = Math.min(h, cy + CELL);
                int x1 = Math.min(w, cx + CELL);
                float px = (cx + x1 - 1) * 0.5f;
                float py = (cy + y1 - 1) * 0.5f;
                float fx = -sample(v, 0, w, h, px, py);
                float fy = -sample(v, plane, w, h, px, py);
                for (int step = 1; step < INVERSION_STEPS; step++) {
                    float nx = -sample(v, 0, w, h, px + fx, py + fy);
                    fy = -sample(v, plane, w, h, px + fx, py + fy);
                    fx = nx;
                }
                for (int y = cy; y < y1; y++) {
                    java.util.Arrays.fill(f, y * w + cx, y * w + x1, fx);
                    java.util.Arrays.fill(f, plane + y * w + cx, plane + y * w + x1, fy);
                }
            }
        }
        return new FlowField(new Tensor(f, 2, h, w));
    }

    /** Bilinear sample of the plane at {@code offset}, coordinates clamped into the frame. */
    private static float sample(float[] v, int offset, int w, int h, float x, float y) {
        float sx = Math.max(0, Math.min(w - 1, x));
        float sy = Math.max(0, Math.min(h - 1, y));
        int x0 = Math.min(Math.max(0, w - 2), (int) sx);
        int y0 = Math.min(Math.max(0, h - 2), (int) sy);
        int x1 = Math.min(w - 1, x0 + 1);
        int y1 = Math.min(h - 1, y0 + 1);
        float ax = sx - x0;
        float ay = sy - y0;
        int r0 = offset + y0 * w;
        int r1 = offset + y1 * w;
        float top = v[r0 + x0] + ax * (v[r0 + x1] - v[r0 + x0]);
        float bottom = v[r1 + x0] + ax * (v[r1 + x1] - v[r1 + x0]);
        return top + ay * (bottom - top);
    }
}
