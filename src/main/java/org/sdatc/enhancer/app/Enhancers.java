package org.sdatc.enhancer.app;

import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;

/** Builds the enhancer the configuration names. */
final class Enhancers {
    private Enhancers() {}

    static Enhancer create(ServiceConfig config) {
        return switch (config.enhancer()) {
            case BICUBIC -> new BicubicEnhancer(4);
        };
    }
}
