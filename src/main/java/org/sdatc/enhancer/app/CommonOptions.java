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

    @Option(names = "--enhancer", paramLabel = "NAME", description = "Enhancer to run: bicubic.")
    String enhancer;

    /** The configuration these options, the file and the environment describe. */
    ServiceConfig load(Map<String, String> extra) {
        if (configFile != null && !configFile.toFile().isFile()) {
            throw new UserError("config file " + configFile + " does not exist");
        }
        Map<String, String> overrides = new LinkedHashMap<>(extra);
        if (bootstrapServers != null) {
            overrides.put("kafka.bootstrap.servers", bootstrapServers);
        }
        if (enhancer != null) {
            overrides.put("sdatc.enhancer", enhancer);
        }
        overrides.putAll(settings);
        return ServiceConfig.load(configFile, System.getenv(), overrides);
    }
}
