package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.engine.budget.RungCosts;
import org.sdatc.enhancer.engine.budget.TierPolicy;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.StreamProgress;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.serde.Serdes;

/**
 * The latency budget on TopologyTestDriver: a two-rung ladder (a stand-in "dcm" and bicubic), its
 * costs seeded so the policy's choice does not depend on this machine's speed.
 */
class LatencyBudgetTopologyTest {
    private static final int FRAMES_PER_SEGMENT = 8;
    /** Generous, so that real (fast) processing never approaches it on a loaded machine. */
    private static final long BUDGET_MS = 60_000;

    private static final Rung DCM = Rung.of(Tier.DCM);
    private static final Rung BICUBIC = Rung.of(Tier.BICUBIC);
    private static List<CutSegment> segments;

    @TempDir
    Path stateDir;

    private final List<String> chosen = new ArrayList<>();
    private int misses;
    private TopologyTestDriver driver;
    private TestInputTopic<String, VideoSegment> input;
    private TestOutputTopic<String, EnhancedSegment> output;

    @BeforeAll
    static void cutClip() {
        segments = TestSegments.cut(6, FRAMES_PER_SEGMENT);
    }

    @BeforeEach
    void start() {
        StreamSettings settings = new StreamSettings(
                "in", "out", "dlq", 5, 2, new DecodeLimits(128, 96, 40, 1 << 20), EncoderSettings.defaults());
        SegmentEvents events = new SegmentEvents() {
            @Override
            public void rungChosen(String streamId, Rung rung, long lagMillis, boolean missed) {
                chosen.add(streamId + ":" + rung);
                misses += missed ? 1 : 0;
            }
        };
        Map<Rung, Enhancer> rungs = new LinkedHashMap<>();
        rungs.put(DCM, new StandInDcm());
        rungs.put(BICUBIC, new BicubicEnhancer(4));
        Ladder ladder = new Ladder(rungs);
        RungCosts costs = new RungCosts();
        // As measured by a warm-up: 8 frames of "dcm" take 0.8 s, far inside the budget when on time.
        costs.observe(TestSegments.WIDTH, TestSegments.HEIGHT, DCM, 100);
        costs.observe(TestSegments.WIDTH, TestSegments.HEIGHT, BICUBIC, 1);
        TierPolicy policy = TierPolicy.of(ladder.rungs(), BUDGET_MS);
        Properties props = StreamsProperties.of(
                "budget",
                "dummy:9092",
                stateDir.toString(),
                java.time.Duration.ofSeconds(30),
                8 << 20,
                settings,
                events,
                null, // dynamic membership
                Map.of());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(EnhancerTopology.build(settings, ladder, policy, costs, events), props);
        input = driver.createInputTopic(
                "in", new StringSerializer(), Serdes.videoSegment().serializer());
        output = driver.createOutputTopic(
                "out", new StringDeserializer(), Serdes.enhancedSegment().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aLateSegmentRunsTheCheaperTierAndSaysSoInItsOutputAndTheStreamsState() {
        input.pipeInput("cam", onTime(0));
        input.pipeInput("cam", late(1));

        List<EnhancedSegment> out = output.readValuesToList();
        assertEquals("dcm", out.get(0).getTier(), "on time: the top rung");
        assertEquals("bicubic", out.get(1).getTier(), "ten minutes late: the cheapest rung");
        assertEquals(0, out.get(1).getSteps());
        assertEquals(4 * TestSegments.WIDTH, out.get(1).getWidth(), "still a full x4 segment");
        StreamProgress progress = progress("cam");
        assertEquals("bicubic", progress.getRungTier());
        assertEquals(0, progress.getHeadroomStreak());
        assertEquals(1, misses, "the late segment missed the budget; the first did not");
    }

    @Test
    void afterCatchingUpTheStreamStepsBackUpOnlyAfterThreeSegmentsOfHeadroom() {
        input.pipeInput("cam", late(0));
        for (int seq = 1; seq <= 4; seq++) {
            input.pipeInput("cam", onTime(seq));
        }

        List<String> tiers =
                output.readValuesToList().stream().map(EnhancedSegment::getTier).toList();
        assertEquals(List.of("bicubic", "bicubic", "bicubic", "dcm", "dcm"), tiers);
        assertEquals("dcm", progress("cam").getRungTier());
    }

    @Test
    void thePolicysMemoryComesFromTheStateStoreAsAfterARestart() {
        // What a restarted instance restores from the changelog: segment 0 ran bicubic, and it was
        // the second segment in a row with headroom for dcm.
        KeyValueStore<String, StreamProgress> store = driver.getKeyValueStore(StoreNames.STREAM_PROGRESS);
        store.put(
                "cam",
                StreamProgress.newBuilder()
                        .setLastSequence(0)
                        .setSegmentsSeen(1)
                        .setRungTier("bicubic")
                        .setHeadroomStreak(2)
                        .build());

        input.pipeInput("cam", onTime(1));

        assertEquals("dcm", output.readValue().getTier(), "the third segment of headroom steps up");
        assertEquals("dcm", progress("cam").getRungTier());
        assertEquals(0, progress("cam").getHeadroomStreak(), "the streak restarts on the new rung");
        assertEquals(1, progress("cam").getLastSequence());
    }

    @Test
    void eachStreamHasItsOwnRung() {
        input.pipeInput("late-cam", late("late-cam", 0));
        input.pipeInput("cam", onTime("cam", 0));

        assertEquals(List.of("late-cam:bicubic", "cam:dcm"), chosen);
        assertEquals("bicubic", progress("late-cam").getRungTier());
        assertEquals("dcm", progress("cam").getRungTier());
        assertFalse(output.isEmpty());
    }

    private StreamProgress progress(String streamId) {
        KeyValueStore<String, StreamProgress> store = driver.getKeyValueStore(StoreNames.STREAM_PROGRESS);
        return store.get(streamId);
    }

    private static VideoSegment onTime(long seq) {
        return onTime("cam", seq);
    }

    private static VideoSegment onTime(String streamId, long seq) {
        return TestSegments.proto(streamId, seq, segments.get((int) seq));
    }

    private static VideoSegment late(long seq) {
        return late("cam", seq);
    }

    /** Stamped ten minutes ago by its producer, as after an outage upstream. */
    private static VideoSegment late(String streamId, long seq) {
        VideoSegment s = TestSegments.proto(streamId, seq, segments.get((int) seq));
        return s.toBuilder()
                .setProducerTimestampUs(s.getProducerTimestampUs() - 600_000_000L)
                .build();
    }

    /** Bicubic frames under the dcm tier's name: the policy sees only rungs and costs. */
    private static final class StandInDcm implements Enhancer {
        private final BicubicEnhancer bicubic = new BicubicEnhancer(4);

        @Override
        public EnhancerInfo info() {
            return new EnhancerInfo("test/dcm", 4, 0, "java", Tier.DCM);
        }

        @Override
        public WindowOutput enhance(WindowInput in) {
            return bicubic.enhance(in);
        }
    }
}
