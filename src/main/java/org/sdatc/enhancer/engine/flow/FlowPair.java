package org.sdatc.enhancer.engine.flow;

import java.util.Objects;

/**
 * Optical flow between two frames a (earlier) and b (later), both directions, at one resolution.
 *
 * @param forward on a's grid: a(x) ~ b(x + forward(x)); {@code Warp.backward(b, forward)} ~ a
 * @param backward on b's grid: b(x) ~ a(x + backward(x)); {@code Warp.backward(a, backward)} ~ b
 */
public record FlowPair(FlowField forward, FlowField backward) {
    public FlowPair {
        Objects.requireNonNull(forward, "forward flow");
        Objects.requireNonNull(backward, "backward flow");
        if (forward.height() != backward.height() || forward.width() != backward.width()) {
            throw new IllegalArgumentException(
                    "forward and backward flows differ in size: " + forward.data() + " vs " + backward.data());
        }
    }

    public FlowPair resize(int h, int w) {
        return new FlowPair(forward.resize(h, w), backward.resize(h, w));
    }
}
