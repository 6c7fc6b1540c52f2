package org.sdatc.enhancer.engine.flow;

import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/** Estimates optical flow between the adjacent frames of a window. Implementations are thread-safe. */
public interface FlowSource {
    /**
     * Forward and backward flow for each adjacent pair (frames i, i+1), at frame resolution, in
     * the conventions of {@link FlowPair}; frames.size() - 1 pairs.
     */
    List<FlowPair> flows(List<Image> frames);
}
