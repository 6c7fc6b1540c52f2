package org.sdatc.enhancer.app;

import java.nio.file.Path;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.models.BuiltinModels;
import org.sdatc.enhancer.engine.sdatc.TieredEnhancer;

/** Builds the enhancer the configuration names. */
final class Enhancers {
    private Enhancers() {}

    static Enhancer create(ServiceConfig config) {
        return switch (config.enhancer()) {
            case SDATC -> tiers(config);
            case BICUBIC -> new BicubicEnhancer(4);
        };
    }

    /** The model directory the configuration names: sdatc.model.dir, else the built-in model. */
    static Path modelDir(ServiceConfig config) {
        return config.modelDir() != null
                ? config.modelDir()
                : BuiltinModels.ensure(config.modelBuiltin(), config.engine().modelCache());
    }

    /** The lite model's directory: sdatc.model.lite.dir, else the built-in sdatc.model.lite; null for none. */
    static Path liteDir(ServiceConfig config) {
        if (config.modelLiteDir() != null) {
            return config.modelLiteDir();
        }
        return config.modelLite() == null
                ? null
                : BuiltinModels.ensure(config.modelLite(), config.engine().modelCache());
    }

    private static TieredEnhancer tiers(ServiceConfig config) {
        TieredEnhancer tiers = TieredEnhancer.open(modelDir(config), liteDir(config), config.engine(), config.tier());
        int modelWindow = tiers.manifest().windowLength();
        if (tiers.available().contains(Tier.FULL)
                && modelWindow != config.stream().windowLength()) {
            tiers.close();
            throw new ConfigException("model " + tiers.manifest().name() + " was trained on windows of " + modelWindow
                    + " frames (manifest window_length; STAM attends over them) but sdatc.window.length is "
                    + config.stream().windowLength() + ": set sdatc.window.length=" + modelWindow);
        }
        return tiers;
    }
}
