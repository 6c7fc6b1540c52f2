package org.sdatc.enhancer.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: where configuration comes from. */
public final class CommonOptions {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with sdatc.* and kafka.* settings (see README).")
    Path configFile;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT,...",
            description = "Kafka brokers (same as kafka.bootstrap.servers).")
    String bootstrapServers;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. --set sdatc.encoder.crf=20 --set kafka.security.protocol=SSL.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--enhancer",
            paramLabel = "NAME",
            description = "sdatc (default: the SDATC engine) or bicubic (the baseline).")
    String enhancer;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description = "A model directory (docs/model-contract.md). Default: the built-in --model.")
    String modelDir;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "Built-in model: sdatc-dcm-cpu (default, trained DCM), sdatc-dcm-lite (small trained"
                    + " DCM) or reference-tiny (untrained, bicubic-exact wiring model).")
    String model;

    @Option(
            names = "--lite-model",
            paramLabel = "NAME",
            description =
                    "Built-in lite model for tier lite: sdatc-dcm-lite (default, a smaller trained DCM) or" + " none.")
    String liteModel;

    @Option(
            names = "--tier",
            paramLabel = "TIER",
            description = "Quality tier: auto (default: the best trained tier), full, dcm, lite or bicubic;"
                    + " bench takes a comma-separated list.")
    String tier;

    @Option(names = "--steps", paramLabel = "N", description = "Denoising steps, 1-50 (default 4).")
    Integer steps;

    @Option(names = "--sampler", paramLabel = "NAME", description = "ddim (default) or dpmpp-2m.")
    String sampler;

    @Option(
            names = "--flow",
            paramLabel = "SOURCE",
            description = "Flow guidance: dis (default), motion-vectors, model or none.")
    String flow;

    @Option(
            names = "--cfw-weight",
            paramLabel = "W",
            description = "CFW weight w in [0, 1] (default: the model's, 0.75).")
    Double cfwWeight;

    @Option(names = "--color-fix", paramLabel = "NAME", description = "adain (default), wavelet or none.")
    String colorFix;

    @Option(
            names = "--provider",
            paramLabel = "NAME",
            description = "auto (default: CUDA if it loads, else CPU), cpu or cuda.")
    String provider;

    /** The configuration these options, the file and the environment describe. */
    ServiceConfig load(Map<String, String> extra) {
        return load(extra, Map.of());
    }

    /** As {@link #load(Map)}, with {@code forced} settings winning over every option. */
    ServiceConfig load(Map<String, String> extra, Map<String, String> forced) {
        if (configFile != null && !configFile.toFile().isFile()) {
            throw new UserError("config file " + configFile + " does not exist");
        }
        Map<String, String> overrides = new LinkedHashMap<>(extra);
        if (bootstrapServers != null) {
            overrides.put("kafka.bootstrap.servers", bootstrapServers);
        }
        put(overrides, "sdatc.enhancer", enhancer);
        put(overrides, "sdatc.model.dir", modelDir);
        put(overrides, "sdatc.model.builtin", model);
        put(overrides, "sdatc.model.lite", liteModel);
        put(overrides, "sdatc.engine.tier", tier);
        put(overrides, "sdatc.engine.steps", steps);
        put(overrides, "sdatc.engine.sampler", sampler);
        put(overrides, "sdatc.engine.flow", flow);
        put(overrides, "sdatc.engine.cfw.weight", cfwWeight);
        put(overrides, "sdatc.engine.color.fix", colorFix);
        put(overrides, "sdatc.engine.provider", provider);
        overrides.putAll(settings);
        overrides.putAll(forced);
        return ServiceConfig.load(configFile, System.getenv(), overrides);
    }

    private static void put(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }
}
