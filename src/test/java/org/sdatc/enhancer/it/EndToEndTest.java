package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.EnhancerService;
import org.sdatc.enhancer.app.ServiceConfig;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.sdatc.SdatcEngine;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.stream.SegmentEvents;

/** The service on a real broker: segments in, enhanced segments out, a playable file joined. */
class EndToEndTest {
    private static final int WIDTH = 96;
    private static final int HEIGHT = 64;
    private static KafkaCluster kafka;
    private static List<CutSegment> segments;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaCluster.start();
        segments = SegmentCutter.cut(
                SyntheticClip.generate(WIDTH, HEIGHT, 60, 3),
                new Rational(15, 1),
                0.66,
                new EncoderSettings("libx264", "veryfast", 26));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void nSegmentsInGiveExactlyNEnhancedSegmentsOutThatJoinIntoAPlayableFile() throws Exception {
        ServiceConfig config = config("e2e");
        int n = segments.size();
        try (EnhancerService service = EnhancerService.start(config, new BicubicEnhancer(4), SegmentEvents.NONE, 2);
                SegmentPublisher publisher = new SegmentPublisher(
                        kafka.bootstrapServers(),
                        Map.of(),
                        config.stream().inputTopic(),
                        KafkaCluster.MAX_RECORD_BYTES)) {
            publisher.publish("cam-1", segments.iterator(), false, 26, s -> {});

            Map<Long, EnhancedSegment> out = collect(config, n, Duration.ofSeconds(90));

            assertEquals(n, out.size());
            Path mp4 = dir.resolve("joined.mp4");
            try (SegmentJoiner joiner = new SegmentJoiner(mp4)) {
                for (long seq = 0; seq < n; seq++) {
                    EnhancedSegment e = out.get(seq);
                    assertEquals(segments.get((int) seq).frameCount(), e.getFrameCount());
                    assertEquals(4 * WIDTH, e.getWidth());
                    assertEquals(4 * HEIGHT, e.getHeight());
                    joiner.append(e.getPayload().toByteArray());
                }
            }
            Probe probe = Probe.of(mp4);
            assertEquals(4 * WIDTH, probe.width());
            assertEquals(4 * HEIGHT, probe.height());
            assertEquals(segments.stream().mapToInt(CutSegment::frameCount).sum(), probe.frames());
        }
    }

    @Test
    void aBadSegmentGoesToTheDeadLetterTopicAndTheStreamContinues() throws Exception {
        ServiceConfig config = config("dlq");
        try (EnhancerService service = EnhancerService.start(config, new BicubicEnhancer(4), SegmentEvents.NONE, 1);
                SegmentPublisher publisher = new SegmentPublisher(
                        kafka.bootstrapServers(),
                        Map.of(),
                        config.stream().inputTopic(),
                        KafkaCluster.MAX_RECORD_BYTES)) {
            List<CutSegment> withBad = new ArrayList<>(segments.subList(0, 3));
            CutSegment good = withBad.get(1);
            byte[] broken = java.util.Arrays.copyOf(good.payload(), 700);
            withBad.set(
                    1,
                    new CutSegment(
                            broken,
                            good.frameCount(),
                            good.firstPts(),
                            good.timeBase(),
                            good.frameRate(),
                            good.width(),
                            good.height()));
            publisher.publish("cam-2", withBad.iterator(), false, 26, s -> {});

            List<DeadLetter> letters = new ArrayList<>();
            Map<Long, EnhancedSegment> out = new TreeMap<>();
            try (SegmentCollector collector = new SegmentCollector(
                    kafka.bootstrapServers(),
                    Map.of(),
                    List.of(config.stream().outputTopic(), config.stream().deadLetterTopic()),
                    KafkaCluster.MAX_RECORD_BYTES)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (out.size() + letters.size() < 3 && System.nanoTime() < deadline) {
                    collector.poll(Duration.ofMillis(200), (topic, r) -> {
                        try {
                            if (topic.equals(config.stream().deadLetterTopic())) {
                                letters.add(DeadLetter.parseFrom(r.value()));
                            } else {
                                EnhancedSegment e = EnhancedSegment.parseFrom(r.value());
                                out.put(e.getSequence(), e);
                            }
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                }
            }
            assertEquals(1, letters.size());
            assertEquals(1, letters.get(0).getSequence());
            assertTrue(
                    letters.get(0).getMessage().contains("cam-2"),
                    letters.get(0).getMessage());
            assertEquals(List.of(0L, 2L), List.copyOf(out.keySet()));
        }
    }

    @Test
    void theSdatcEngineEnhancesAStreamEndToEndAndStitchesAcrossSegments() throws Exception {
        ServiceConfig config = config("sdatc");
        List<CutSegment> small = SegmentCutter.cut(
                SyntheticClip.generate(48, 32, 18, 9),
                new Rational(12, 1),
                0.5,
                new EncoderSettings("libx264", "veryfast", 26));
        Enhancer engine =
                SdatcEngine.open(null, SdatcOptions.defaults().withModelCache(Path.of("target", "test-models")));
        try (EnhancerService service = EnhancerService.start(config, engine, SegmentEvents.NONE, 1);
                SegmentPublisher publisher = new SegmentPublisher(
                        kafka.bootstrapServers(),
                        Map.of(),
                        config.stream().inputTopic(),
                        KafkaCluster.MAX_RECORD_BYTES)) {
            publisher.publish("cam-3", small.iterator(), false, 26, s -> {});

            Map<Long, EnhancedSegment> out = collect(config, small.size(), Duration.ofSeconds(180));

            assertEquals(small.size(), out.size());
            for (long seq = 0; seq < small.size(); seq++) {
                EnhancedSegment e = out.get(seq);
                assertTrue(e.getModel().startsWith("sdatc/reference-tiny"), e.getModel());
                assertEquals(4, e.getSteps());
                assertEquals("full", e.getTier());
                assertEquals(4 * 48, e.getWidth());
                assertEquals(small.get((int) seq).frameCount(), e.getFrameCount());
                assertEquals(seq > 0, e.getContinuous(), "segments after the first continue the stream");
                List<String> stages =
                        e.getStageTimingsList().stream().map(t -> t.getStage()).toList();
                assertTrue(
                        stages.containsAll(List.of("decode", "dcm", "vae_encode", "sampler", "vae_decode", "encode")),
                        stages.toString());
            }
        }
    }

    private ServiceConfig config(String name) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        settings.put("sdatc.application.id", "it-" + name);
        settings.put("sdatc.state.dir", dir.resolve("state").toString());
        settings.put("sdatc.topic.input", name + "-in");
        settings.put("sdatc.topic.output", name + "-out");
        settings.put("sdatc.topic.dead.letter", name + "-dlq");
        settings.put("sdatc.segment.worst.seconds", "20");
        return ServiceConfig.load(null, Map.of(), settings);
    }

    static Map<Long, EnhancedSegment> collect(ServiceConfig config, int n, Duration timeout) throws Exception {
        Map<Long, EnhancedSegment> out = new TreeMap<>();
        try (SegmentCollector collector = new SegmentCollector(
                kafka.bootstrapServers(),
                Map.of(),
                List.of(config.stream().outputTopic()),
                KafkaCluster.MAX_RECORD_BYTES)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                collector.poll(Duration.ofMillis(200), (topic, r) -> {
                    try {
                        EnhancedSegment e = EnhancedSegment.parseFrom(r.value());
                        if (out.put(e.getSequence(), e) != null) {
                            throw new AssertionError("segment " + e.getSequence() + " came out twice");
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
        return out;
    }
}
