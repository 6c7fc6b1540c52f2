package org.sdatc.enhancer.eval;

import java.util.Map;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;

/**
 * One method under evaluation: a name for tables and plots, the configuration overrides that select
 * it (what {@code --set} would say), and the enhancer and windows that configuration builds. The
 * caller owns and closes the enhancer.
 *
 * @param settings the overrides, for example {@code sdatc.enhancer=bicubic} or {@code
 *     sdatc.model.dir=/models/x}
 */
public record Method(
        String name, Map<String, String> settings, Enhancer enhancer, int windowLength, int windowContext) {
    public Method {
        settings = Map.copyOf(settings);
    }

    /** The model id, scale, steps and provider the enhancer reports. */
    public EnhancerInfo info() {
        return enhancer.info();
    }
}
