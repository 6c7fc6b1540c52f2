package org.sdatc.enhancer.engine;

import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * The enhanced frames of a window ({@link WindowInput#emitCount()} of them, in order), the state to
 * carry to the stream's next window (null when the enhancer keeps none), and where the time went.
 */
public record WindowOutput(List<Image> frames, byte[] carry, StageTimings timings) {
    public WindowOutput {
        frames = List.copyOf(frames);
    }
}
