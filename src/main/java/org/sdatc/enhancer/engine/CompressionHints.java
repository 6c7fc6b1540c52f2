package org.sdatc.enhancer.engine;

import java.util.OptionalInt;
import java.util.OptionalLong;

/** What the upstream encoder said about the input's compression (PCAM can use it). */
public record CompressionHints(OptionalInt crf, OptionalInt qp, OptionalLong bitrateBps) {
    public static final CompressionHints NONE =
            new CompressionHints(OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty());
}
