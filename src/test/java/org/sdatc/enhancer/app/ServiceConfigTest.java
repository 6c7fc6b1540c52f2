package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.models.BuiltinModels;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.stream.SegmentEvents;
import org.sdatc.enhancer.stream.StreamsProperties;

/** The model, tier and latency settings a user sets, and the errors a wrong one gets. */
class ServiceConfigTest {
    private static ServiceConfig load(Map<String, String> settings) {
        return ServiceConfig.load(null, Map.of(), settings);
    }

    private static String failure(Map<String, String> settings) {
        return assertThrows(ConfigException.class, () -> load(settings)).getMessage();
    }

    @Test
    void byDefaultTheServiceRunsTheTrainedBuiltinModelAtItsBestTrainedTier() {
        ServiceConfig c = load(Map.of());
        assertEquals(BuiltinModels.DEFAULT, c.modelBuiltin());
        assertNull(c.tier(), "auto");
        assertNull(c.modelDir());
        assertEquals(BuiltinModels.LITE, c.modelLite(), "the fast tier's model");
        assertNull(c.modelLiteDir());
        assertEquals(3000, c.latencyBudgetMs());
        assertTrue(c.warmupSizes().isEmpty());
    }

    @Test
    void staticMembershipIsOffByDefaultAndOnWithAGroupInstanceId() {
        ServiceConfig dynamic = load(Map.of());
        assertNull(dynamic.groupInstanceId(), "no id from the host name: two instances on one host would fence");
        Properties props = streamsProperties(dynamic);
        assertNull(props.get("group.instance.id"));
        assertEquals(StreamsProperties.DEFAULT_SESSION_TIMEOUT_MS, props.get("session.timeout.ms"));

        ServiceConfig fixed = ServiceConfig.load(
                null,
                Map.of("SDATC_GROUP_INSTANCE_ID", "sdatc-enhancer-0"),
                Map.of("kafka.session.timeout.ms", "30000"));
        assertEquals("sdatc-enhancer-0", fixed.groupInstanceId());
        props = streamsProperties(fixed);
        assertEquals("sdatc-enhancer-0", props.get("group.instance.id"));
        assertEquals("30000", props.get("session.timeout.ms"), "kafka.session.timeout.ms replaces the default");
    }

    @Test
    void aGroupInstanceIdAsAKafkaSettingOrWithOddCharactersIsAnErrorNamingTheSetting() {
        String passThrough = failure(Map.of("kafka.group.instance.id", "a"));
        assertTrue(passThrough.contains("sdatc.group.instance.id"), passThrough);
        String odd = failure(Map.of("sdatc.group.instance.id", "pod 0"));
        assertTrue(odd.contains("sdatc.group.instance.id") && odd.contains("pod 0"), odd);
        assertTrue(failure(Map.of("sdatc.health.broker.grace.seconds", "0"))
                .contains("sdatc.health.broker.grace.seconds"));
    }

    private static Properties streamsProperties(ServiceConfig c) {
        return StreamsProperties.of(
                c.applicationId(),
                "localhost:9092",
                "state",
                c.worstSegment(),
                c.maxRecordBytes(),
                c.stream(),
                SegmentEvents.NONE,
                c.groupInstanceId(),
                c.kafkaOverrides());
    }

    @Test
    void tierAndWarmUpSizesAreRead() {
        ServiceConfig c = load(Map.of("sdatc.engine.tier", "DCM", "sdatc.latency.warmup.sizes", "256x144, 480x270"));
        assertEquals(Tier.DCM, c.tier());
        assertEquals(2, c.warmupSizes().size());
        assertEquals(480, c.warmupSizes().get(1)[0]);
        assertEquals(270, c.warmupSizes().get(1)[1]);
    }

    @Test
    void theLiteModelCanBeSwitchedOffOrTakenFromADirectory() {
        assertNull(load(Map.of("sdatc.model.lite", "none")).modelLite());
        ServiceConfig c = load(Map.of("sdatc.model.lite.dir", "/models/my-lite", "sdatc.engine.tier", "lite"));
        assertEquals(java.nio.file.Path.of("/models/my-lite"), c.modelLiteDir());
        assertEquals(java.nio.file.Path.of("/models/my-lite"), Enhancers.liteDir(c));
        assertEquals(Tier.LITE, c.tier());
        String lite = failure(Map.of("sdatc.model.lite", "/models/my-lite"));
        assertTrue(lite.contains("sdatc.model.lite") && lite.contains("sdatc.model.lite.dir"), lite);
    }

    @Test
    void wrongModelTierAndWarmUpSettingsAreErrorsNamingTheKey() {
        assertTrue(failure(Map.of("sdatc.engine.tier", "ultra")).contains("sdatc.engine.tier"));
        String builtin = failure(Map.of("sdatc.model.builtin", "sdatc-xl"));
        assertTrue(builtin.contains("sdatc.model.builtin") && builtin.contains(BuiltinModels.DEFAULT), builtin);
        String sizes = failure(Map.of("sdatc.latency.warmup.sizes", "256x"));
        assertTrue(sizes.contains("sdatc.latency.warmup.sizes") && sizes.contains("256x"), sizes);
        assertTrue(failure(Map.of("sdatc.latency.warmup.sizes", "255x144")).contains("even"));
    }

    @Test
    void encoderThreadsAndX264OptionsAreReadAndAMalformedOptionListNamesTheKey() {
        ServiceConfig c = load(Map.of("sdatc.encoder.threads", "2", "sdatc.encoder.x264.params", "sliced-threads=1"));
        assertEquals(2, c.stream().encoder().threads());
        assertEquals("sliced-threads=1", c.stream().encoder().x264Params());
        assertEquals(0, load(Map.of()).stream().encoder().threads(), "x264's own thread count by default");
        String msg = failure(Map.of("sdatc.encoder.x264.params", "sliced-threads"));
        assertTrue(msg.contains("sdatc.encoder.x264.params") && msg.contains("sliced-threads"), msg);
        assertTrue(failure(Map.of("sdatc.encoder.threads", "-1")).contains("sdatc.encoder.threads"));
    }

    @Test
    void aFullTierModelMustMatchTheWindowLengthItsStamWasTrainedOn() {
        ServiceConfig c = load(Map.of(
                "sdatc.model.dir", TestModels.tiny().toString(),
                "sdatc.engine.tier", "full",
                "sdatc.window.length", "7"));
        String msg =
                assertThrows(ConfigException.class, () -> Enhancers.create(c)).getMessage();
        assertTrue(msg.contains("window_length") && msg.contains("sdatc.window.length=5"), msg);
    }
}
