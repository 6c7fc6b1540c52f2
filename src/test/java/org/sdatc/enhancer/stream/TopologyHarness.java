package org.sdatc.enhancer.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.serde.Serdes;

/**
 * The enhancer's topology on a TopologyTestDriver with the given settings and the bicubic enhancer
 * (or another), its topics, and what it reported through {@link SegmentEvents}.
 */
final class TopologyHarness implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestInputTopic<String, VideoSegment> input;
    final TestInputTopic<String, byte[]> rawInput;
    final TestOutputTopic<String, EnhancedSegment> output;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    final Map<DeadLetterReason, Integer> deadLettered = new EnumMap<>(DeadLetterReason.class);
    final List<String> events = new ArrayList<>();

    TopologyHarness(StreamSettings settings, Path stateDir) {
        this(settings, stateDir, new BicubicEnhancer(4));
    }

    TopologyHarness(StreamSettings settings, Path stateDir, Enhancer enhancer) {
        SegmentEvents recorder = new SegmentEvents() {
            @Override
            public void duplicateSkipped() {
                events.add("duplicate");
            }

            @Override
            public void gap() {
                events.add("gap");
            }

            @Override
            public void restarted() {
                events.add("restart");
            }

            @Override
            public void ptsBackwards() {
                events.add("pts-backwards");
            }

            @Override
            public void deadLettered(DeadLetterReason reason) {
                deadLettered.merge(reason, 1, Integer::sum);
            }
        };
        Properties props = StreamsProperties.of(
                "harness",
                "dummy:9092",
                stateDir.toString(),
                Duration.ofSeconds(30),
                settings.maxRecordBytes(),
                settings,
                recorder,
                null, // dynamic membership
                Map.of());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(EnhancerTopology.build(settings, enhancer, recorder), props);
        input = driver.createInputTopic(
                settings.inputTopic(),
                new StringSerializer(),
                Serdes.videoSegment().serializer());
        rawInput = driver.createInputTopic(settings.inputTopic(), new StringSerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic(
                settings.outputTopic(),
                new StringDeserializer(),
                Serdes.enhancedSegment().deserializer());
        deadLetters = driver.createOutputTopic(
                settings.deadLetterTopic(),
                new StringDeserializer(),
                Serdes.deadLetter().deserializer());
    }

    /** Sends a segment keyed by its stream id. */
    void send(VideoSegment segment) {
        input.pipeInput(segment.getStreamId(), segment);
    }

    List<Long> outputSequences() {
        return output.readValuesToList().stream()
                .map(EnhancedSegment::getSequence)
                .toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
