package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.EnhancerService;
import org.sdatc.enhancer.app.ServiceConfig;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.SegmentEvents;
import org.sdatc.enhancer.stream.VideoSegments;

/**
 * Issue 11's crash-loop inputs on a real broker, through the service as {@code run} starts it: the
 * records the service writes for them are really produced (the broker and producer enforce the
 * record limit that TopologyTestDriver does not), and the stream's next segment comes out.
 */
class HostileInputOnBrokerTest {
    private static KafkaCluster kafka;
    private static List<CutSegment> segments;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaCluster.start();
        segments = SegmentCutter.cut(
                SyntheticClip.generate(64, 48, 16, 3),
                new Rational(8, 1),
                1.0,
                new EncoderSettings("libx264", "veryfast", 26));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void recordsJustUnderTheRecordLimitAreDeadLetteredOnTheBrokerAndTheStreamGoesOn() throws Exception {
        ServiceConfig config = config("huge");
        int limit = config.maxRecordBytes();
        VideoSegment good = VideoSegments.of("cam", 0, segments.get(0), 26);
        // 150 bytes under the limit: accepted by the broker, but a dead letter with all of it is not.
        VideoSegment huge = good.toBuilder()
                .setSequence(0)
                .setPayload(ByteString.copyFrom(
                        new byte
                                [limit
                                        - 150
                                        - (good.getSerializedSize()
                                                - good.getPayload().size())
                                        - 4]))
                .build();
        byte[] garbage = new byte[limit - 150];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        try (EnhancerService service = EnhancerService.start(config, new BicubicEnhancer(4), SegmentEvents.NONE, 1);
                KafkaProducer<String, byte[]> producer = producer(limit)) {
            String in = config.stream().inputTopic();
            producer.send(new ProducerRecord<>(in, "cam", huge.toByteArray())).get();
            producer.send(new ProducerRecord<>(in, "cam", garbage)).get();
            producer.send(new ProducerRecord<>(
                            in, "cam", good.toBuilder().setSequence(1).build().toByteArray()))
                    .get();

            List<DeadLetter> letters = new ArrayList<>();
            Map<Long, EnhancedSegment> out = new TreeMap<>();
            collect(config, letters, out, 3, Duration.ofSeconds(90));

            assertEquals(
                    List.of("LIMIT_EXCEEDED", "MALFORMED_RECORD"),
                    letters.stream().map(DeadLetter::getReason).toList(),
                    "both dead letters were produced");
            for (DeadLetter letter : letters) {
                assertTrue(letter.getOriginalTruncated(), letter.getMessage());
                assertTrue(letter.getSerializedSize() < limit, "dead letter of " + letter.getSerializedSize());
                assertTrue(letter.getOriginalSize() > limit - 200, "original size " + letter.getOriginalSize());
            }
            assertEquals(List.of(1L), List.copyOf(out.keySet()), "the next segment of the stream is enhanced");
            assertEquals(KafkaStreams.State.RUNNING, service.state(), "the service is still running");
        }
    }

    private static KafkaProducer<String, byte[]> producer(int maxRecordBytes) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void collect(
            ServiceConfig config, List<DeadLetter> letters, Map<Long, EnhancedSegment> out, int n, Duration timeout) {
        try (SegmentCollector collector = new SegmentCollector(
                kafka.bootstrapServers(),
                Map.of(),
                List.of(config.stream().outputTopic(), config.stream().deadLetterTopic()),
                config.maxRecordBytes())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() + letters.size() < n && System.nanoTime() < deadline) {
                collector.poll(Duration.ofMillis(200), (topic, r) -> {
                    try {
                        if (topic.equals(config.stream().deadLetterTopic())) {
                            letters.add(DeadLetter.parseFrom(r.value()));
                        } else {
                            EnhancedSegment e = EnhancedSegment.parseFrom(r.value());
                            out.put(e.getSequence(), e);
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
    }

    private ServiceConfig config(String name) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        settings.put("sdatc.application.id", "hostile-" + name);
        settings.put("sdatc.state.dir", dir.resolve("state").toString());
        settings.put("sdatc.topic.input", name + "-in");
        settings.put("sdatc.topic.output", name + "-out");
        settings.put("sdatc.topic.dead.letter", name + "-dlq");
        settings.put("sdatc.segment.worst.seconds", "20");
        return ServiceConfig.load(null, Map.of(), settings);
    }
}
