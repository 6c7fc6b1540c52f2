package org.sdatc.enhancer.app;

import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.sdatc.SdatcEngine;

/** Builds the enhancer the configuration names. */
final class Enhancers {
    private Enhancers() {}

    static Enhancer create(ServiceConfig config) {
        return switch (config.enhancer()) {
            case SDATC -> SdatcEngine.open(config.modelDir(), config.engine());
            case BICUBIC -> new BicubicEnhancer(4);
        };
    }
}
