package org.sdatc.enhancer.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.models.BuiltinModels;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.InterlacedInput;
import org.sdatc.enhancer.stream.StreamSettings;

/**
 * The service's configuration: one typed record, loaded once and validated with messages that name
 * the key. Sources, later ones winning: built-in defaults, a properties file ({@code --config}),
 * environment variables ({@code SDATC_TOPIC_INPUT} sets {@code sdatc.topic.input}, {@code
 * SDATC_KAFKA_SASL_JAAS_CONFIG} sets {@code kafka.sasl.jaas.config}), then command-line options.
 *
 * <p>Keys under {@code kafka.} are passed unchanged (prefix removed) to every Kafka client the
 * service creates: bootstrap servers, SASL, SSL, and any Streams setting.
 */
public record ServiceConfig(
        String applicationId,
        Path stateDir,
        StreamSettings stream,
        int maxRecordBytes,
        Duration worstSegment,
        String metricsBind,
        int metricsPort,
        EnhancerChoice enhancer,
        Path modelDir,
        String modelBuiltin,
        Path modelLiteDir,
        String modelLite,
        Tier tier,
        SdatcOptions engine,
        long latencyBudgetMs,
        List<int[]> warmupSizes,
        String groupInstanceId,
        Duration brokerGrace,
        Map<String, String> kafka) {

    /** Every sdatc.* key with its default; an unknown sdatc.* key is an error, not a silent typo. */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("sdatc.application.id", "sdatc-enhancer");
        d.put("sdatc.state.dir", "state");
        d.put("sdatc.topic.input", StreamSettings.DEFAULT_INPUT_TOPIC);
        d.put("sdatc.topic.output", StreamSettings.DEFAULT_OUTPUT_TOPIC);
        d.put("sdatc.topic.dead.letter", StreamSettings.DEFAULT_DEAD_LETTER_TOPIC);
        d.put("sdatc.window.length", "5");
        d.put("sdatc.window.context", "2");
        d.put("sdatc.limits.max.width", "960");
        d.put("sdatc.limits.max.height", "540");
        d.put("sdatc.limits.max.frames", "600");
        d.put("sdatc.limits.max.payload.bytes", String.valueOf(8 << 20));
        // "auto": DecodeLimits.pixelsForHeap (a quarter of the heap as RGB24).
        d.put("sdatc.limits.max.pixels.per.segment", "auto");
        d.put("sdatc.input.interlaced", "deinterlace");
        d.put("sdatc.sequence.max.jump", String.valueOf(StreamSettings.DEFAULT_MAX_SEQUENCE_JUMP));
        d.put("sdatc.max.record.bytes", String.valueOf(16 << 20));
        d.put("sdatc.segment.worst.seconds", "300");
        d.put("sdatc.encoder.codec", "libx264");
        d.put("sdatc.encoder.preset", "veryfast");
        d.put("sdatc.encoder.crf", "18");
        // 0: x264's own thread count (frame threads, 1.5 x cores); extra x264 options, key=value:key=value.
        d.put("sdatc.encoder.threads", "0");
        d.put("sdatc.encoder.x264.params", "");
        d.put("sdatc.metrics.bind", "0.0.0.0");
        d.put("sdatc.metrics.port", "9404");
        d.put("sdatc.enhancer", "sdatc");
        // The SDATC engine (sdatc.enhancer=sdatc); an empty model dir means the built-in model below.
        d.put("sdatc.model.dir", "");
        d.put("sdatc.model.builtin", BuiltinModels.DEFAULT);
        // The lite model, whose DCM runs tier lite: a directory, else a built-in name, or none.
        d.put("sdatc.model.lite.dir", "");
        d.put("sdatc.model.lite", BuiltinModels.LITE);
        // auto: the model's best trained tier.
        d.put("sdatc.engine.tier", "auto");
        d.put("sdatc.model.cache", ReferenceModels.defaultCacheRoot().toString());
        d.put("sdatc.engine.provider", "auto");
        d.put("sdatc.engine.device.id", "0");
        d.put("sdatc.engine.gpu.mem.limit.bytes", "0");
        d.put("sdatc.engine.cudnn.conv.algo.search", "heuristic");
        d.put("sdatc.engine.tf32", "true");
        d.put("sdatc.engine.threads", "0");
        // ONNX Runtime's intra-op threads spin-wait between ops when true (its default); see ExecutionConfig.
        d.put("sdatc.engine.spinning", "false");
        d.put("sdatc.engine.steps", "4");
        d.put("sdatc.engine.sampler", "ddim");
        d.put("sdatc.engine.eta", "0");
        d.put("sdatc.engine.flow", "dis");
        d.put("sdatc.engine.guidance.scale", "0.05");
        d.put("sdatc.engine.cfw.weight", "");
        d.put("sdatc.engine.color.fix", "adain");
        d.put("sdatc.engine.tile.size", "1024");
        d.put("sdatc.engine.tile.overlap", "64");
        // Producer timestamp to publication; 0 = no budget (every segment runs the configured tier).
        d.put("sdatc.latency.budget.ms", "3000");
        // Input sizes (WxH, comma-separated) whose tier costs are measured at start-up, before any segment.
        d.put("sdatc.latency.warmup.sizes", "");
        // Static membership (Kafka's group.instance.id); empty = dynamic membership. See operations.md.
        d.put("sdatc.group.instance.id", "");
        // How long the brokers may be unreachable at start-up before /health/live answers 503.
        d.put("sdatc.health.broker.grace.seconds", "20");
        // Read by logback.xml from the environment; listed so SDATC_LOG_LEVEL is not an unknown key.
        d.put("sdatc.log.level", "INFO");
        return Map.copyOf(d);
    }

    /** Which enhancer runs. */
    public enum EnhancerChoice {
        /** The SDATC engine: a model from sdatc.model.dir, or the built-in sdatc.model.builtin. */
        SDATC,
        /** Bicubic x4, the baseline. */
        BICUBIC
    }

    /**
     * Loads from defaults, then the file (may be null), then the environment, then {@code
     * overrides} (command-line options, keyed like the file).
     */
    public static ServiceConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        if (file != null) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
            }
            props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
        }
        env.forEach((name, value) -> {
            if (name.startsWith("SDATC_")) {
                values.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        values.putAll(overrides);
        return from(values);
    }

    static ServiceConfig from(Map<String, String> values) {
        Map<String, String> kafka = new TreeMap<>();
        for (var e : values.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("kafka.")) {
                kafka.put(key.substring("kafka.".length()), e.getValue());
            } else if (key.startsWith("sdatc.kafka.")) {
                kafka.put(key.substring("sdatc.kafka.".length()), e.getValue());
            } else if (!DEFAULTS.containsKey(key)) {
                throw new ConfigException("unknown setting '" + key + "'; known settings: "
                        + Set.copyOf(new TreeMap<>(DEFAULTS).keySet()) + " and kafka.*");
            }
        }
        Values reader = new Values(values);
        int maxRecord = reader.integer("sdatc.max.record.bytes", StreamSettings.MIN_RECORD_BYTES, Integer.MAX_VALUE);
        StreamSettings stream = new StreamSettings(
                reader.string("sdatc.topic.input"),
                reader.string("sdatc.topic.output"),
                reader.string("sdatc.topic.dead.letter"),
                reader.integer("sdatc.window.length", 1, 64),
                reader.integer("sdatc.window.context", 0, 63),
                new DecodeLimits(
                        reader.integer("sdatc.limits.max.width", 16, 8192),
                        reader.integer("sdatc.limits.max.height", 16, 8192),
                        reader.integer("sdatc.limits.max.frames", 1, 100_000),
                        reader.integer("sdatc.limits.max.payload.bytes", 1, Integer.MAX_VALUE),
                        reader.string("sdatc.limits.max.pixels.per.segment").equalsIgnoreCase("auto")
                                ? DecodeLimits.pixelsForHeap(
                                        Runtime.getRuntime().maxMemory())
                                : reader.longValue("sdatc.limits.max.pixels.per.segment", 1, Long.MAX_VALUE)),
                new EncoderSettings(
                        reader.string("sdatc.encoder.codec"),
                        reader.string("sdatc.encoder.preset"),
                        reader.integer("sdatc.encoder.crf", 0, 51),
                        reader.integer("sdatc.encoder.threads", 0, 128),
                        x264Params(values.getOrDefault("sdatc.encoder.x264.params", ""))),
                reader.choice("sdatc.input.interlaced", InterlacedInput.class),
                maxRecord,
                reader.longValue("sdatc.sequence.max.jump", 1, Long.MAX_VALUE));
        if (stream.windowContext() >= stream.windowLength()) {
            throw new ConfigException("sdatc.window.context (" + stream.windowContext()
                    + ") must be smaller than sdatc.window.length (" + stream.windowLength() + ")");
        }
        if (stream.limits().maxPayloadBytes() > maxRecord) {
            throw new ConfigException("sdatc.limits.max.payload.bytes must not exceed sdatc.max.record.bytes");
        }
        EnhancerChoice choice;
        try {
            choice = EnhancerChoice.valueOf(reader.string("sdatc.enhancer").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sdatc.enhancer must be one of "
                    + java.util.Arrays.toString(EnhancerChoice.values()).toLowerCase(Locale.ROOT) + ", got '"
                    + values.get("sdatc.enhancer") + "'");
        }
        String modelDir = values.getOrDefault("sdatc.model.dir", "").trim();
        String builtin = reader.string("sdatc.model.builtin");
        if (!BuiltinModels.names().contains(builtin)) {
            throw new ConfigException(
                    "sdatc.model.builtin must be one of " + BuiltinModels.names() + ", got '" + builtin + "'");
        }
        String liteDir = values.getOrDefault("sdatc.model.lite.dir", "").trim();
        String lite = reader.string("sdatc.model.lite");
        if (!lite.equals("none") && !BuiltinModels.names().contains(lite)) {
            throw new ConfigException("sdatc.model.lite must be none or one of " + BuiltinModels.names() + ", got '"
                    + lite + "' (a directory goes in sdatc.model.lite.dir)");
        }
        String tierTag = reader.string("sdatc.engine.tier").toLowerCase(Locale.ROOT);
        Tier tier;
        try {
            tier = tierTag.equals("auto") ? null : Tier.fromTag(tierTag);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "sdatc.engine.tier must be auto or one of " + Tier.tags() + ", got '" + tierTag + "'");
        }
        return new ServiceConfig(
                reader.string("sdatc.application.id"),
                Path.of(reader.string("sdatc.state.dir")),
                stream,
                maxRecord,
                Duration.ofSeconds(reader.integer("sdatc.segment.worst.seconds", 1, 7200)),
                reader.string("sdatc.metrics.bind"),
                reader.integer("sdatc.metrics.port", 0, 65535),
                choice,
                modelDir.isEmpty() ? null : Path.of(modelDir),
                builtin,
                liteDir.isEmpty() ? null : Path.of(liteDir),
                lite.equals("none") ? null : lite,
                tier,
                engineOptions(reader, maxRecord),
                reader.longValue("sdatc.latency.budget.ms", 0, 3_600_000),
                warmupSizes(values.getOrDefault("sdatc.latency.warmup.sizes", "")),
                groupInstanceId(values, kafka),
                Duration.ofSeconds(reader.integer("sdatc.health.broker.grace.seconds", 1, 86_400)),
                Map.copyOf(kafka));
    }

    /**
     * sdatc.group.instance.id, or null for dynamic membership. Two live instances must never share
     * one (the broker fences the older), so there is no default from the host name: on one machine,
     * or in containers whose host names repeat, that would stop instances. Set it from a name that is
     * unique and stable across restarts, like a StatefulSet pod's name.
     */
    private static String groupInstanceId(Map<String, String> values, Map<String, String> kafka) {
        if (kafka.containsKey("group.instance.id")) {
            throw new ConfigException("set static membership with sdatc.group.instance.id (SDATC_GROUP_INSTANCE_ID),"
                    + " not kafka.group.instance.id: the Streams threads' ids are derived from it");
        }
        String id = values.getOrDefault("sdatc.group.instance.id", "").trim();
        if (id.isEmpty()) {
            return null;
        }
        if (id.length() > 200 || !id.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException("sdatc.group.instance.id must be 1-200 characters of letters, digits, '.', '_'"
                    + " or '-', got '" + id + "'");
        }
        return id;
    }

    /**
     * Extra x264 options, {@code key=value} pairs joined by {@code :}; the options each segment needs
     * (one closed GOP without B-frames or scene cuts) are appended after them by the encoder and win.
     */
    static String x264Params(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return "";
        }
        for (String kv : t.split(":")) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1 || kv.contains(",") && kv.indexOf(',') < eq) {
                throw new ConfigException("sdatc.encoder.x264.params must be x264 options as key=value pairs joined by"
                        + " ':', e.g. sliced-threads=1:rc-lookahead=5; got '" + kv + "' in '" + t + "'");
            }
        }
        return t;
    }

    /** "256x144,480x270" -> [[256, 144], [480, 270]]; each side even and positive. */
    static List<int[]> warmupSizes(String text) {
        List<int[]> sizes = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] wh = p.split("x");
            try {
                int w = Integer.parseInt(wh[0].trim());
                int h = Integer.parseInt(wh[1].trim());
                if (wh.length != 2 || w < 16 || h < 16 || w % 2 != 0 || h % 2 != 0) {
                    throw new NumberFormatException();
                }
                sizes.add(new int[] {w, h});
            } catch (RuntimeException e) {
                throw new ConfigException("sdatc.latency.warmup.sizes must be a comma-separated list of WxH input"
                        + " sizes (even, at least 16x16), e.g. 256x144,480x270; got '" + p + "'");
            }
        }
        return List.copyOf(sizes);
    }

    private static SdatcOptions engineOptions(Values reader, int maxRecordBytes) {
        ExecutionConfig execution = new ExecutionConfig(
                reader.choice("sdatc.engine.provider", ExecutionConfig.Provider.class),
                reader.integer("sdatc.engine.device.id", 0, 64),
                reader.longValue("sdatc.engine.gpu.mem.limit.bytes", 0, Long.MAX_VALUE),
                reader.choice("sdatc.engine.cudnn.conv.algo.search", ExecutionConfig.CudnnConvAlgoSearch.class),
                reader.bool("sdatc.engine.tf32"),
                reader.integer("sdatc.engine.threads", 0, 1024),
                reader.bool("sdatc.engine.spinning"));
        String cfw = reader.values().getOrDefault("sdatc.engine.cfw.weight", "").trim();
        SdatcOptions d = SdatcOptions.defaults();
        try {
            return new SdatcOptions(
                    reader.integer("sdatc.engine.steps", 1, 50),
                    reader.choice("sdatc.engine.sampler", SdatcOptions.SamplerKind.class),
                    reader.decimal("sdatc.engine.eta", 0, 1),
                    d.strength(),
                    reader.choice("sdatc.engine.flow", SdatcOptions.FlowSourceKind.class),
                    d.disPreset(),
                    new FlowGuidance.Config(
                            reader.decimal("sdatc.engine.guidance.scale", 0, 100),
                            d.guidance().stepSize(),
                            d.guidance().target()),
                    cfw.isEmpty() ? Double.NaN : reader.decimal("sdatc.engine.cfw.weight", 0, 1),
                    reader.choice("sdatc.engine.color.fix", SdatcOptions.ColorFixKind.class),
                    reader.integer("sdatc.engine.tile.size", 64, 16384),
                    reader.integer("sdatc.engine.tile.overlap", 0, 4096),
                    // The carry is stored in a state store: it must fit one record, with room to spare.
                    maxRecordBytes - (1 << 20),
                    execution,
                    Path.of(reader.string("sdatc.model.cache")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public String bootstrapServers() {
        String servers = kafka.get("bootstrap.servers");
        if (servers == null || servers.isBlank()) {
            throw new ConfigException(
                    "no Kafka brokers configured: set kafka.bootstrap.servers, SDATC_KAFKA_BOOTSTRAP_SERVERS or"
                            + " --bootstrap-servers");
        }
        return servers;
    }

    /** Client settings other than bootstrap servers, for the Streams app, admin and producers. */
    public Map<String, String> kafkaOverrides() {
        Map<String, String> m = new TreeMap<>(kafka);
        m.remove("bootstrap.servers");
        return m;
    }

    private record Values(Map<String, String> values) {
        String string(String key) {
            String v = values.get(key);
            if (v == null || v.isBlank()) {
                throw new ConfigException(key + " must not be empty");
            }
            return v.trim();
        }

        <E extends Enum<E>> E choice(String key, Class<E> type) {
            String v = string(key);
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(v.replace('-', '_'))) {
                    return e;
                }
            }
            throw new ConfigException(key + " must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", got '" + v
                    + "'");
        }

        boolean bool(String key) {
            String v = string(key);
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new ConfigException(key + " must be true or false, got '" + v + "'");
        }

        double decimal(String key, double min, double max) {
            String v = string(key);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be a number, got '" + v + "'");
            }
            if (!(d >= min && d <= max)) {
                throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + v);
            }
            return d;
        }

        long longValue(String key, long min, long max) {
            String v = string(key);
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be a whole number, got '" + v + "'");
            }
            if (n < min || n > max) {
                throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + n);
            }
            return n;
        }

        int integer(String key, int min, int max) {
            return (int) longValue(key, min, max);
        }
    }
}
