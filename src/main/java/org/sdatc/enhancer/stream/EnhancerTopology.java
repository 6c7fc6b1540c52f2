package org.sdatc.enhancer.stream;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.RungCosts;
import org.sdatc.enhancer.engine.budget.TierPolicy;
import org.sdatc.enhancer.stream.serde.Serdes;

/**
 * The enhancer's topology, built without I/O so tests can drive it:
 *
 * <pre>
 * sdatc-in --(VideoSegment)--> segment-processor --(EnhancedSegment)--> sdatc-out
 *                               |   stores: stream-progress, frame-tail, window-latents
 *                               +--(DeadLetter)--> sdatc-dlq
 * </pre>
 *
 * Records that are not VideoSegments never reach the processor: {@link
 * DeadLetterDeserializationHandler} dead-letters them.
 */
public final class EnhancerTopology {
    private static final String SOURCE = "segments-source";
    private static final String PROCESSOR = "segment-processor";

    private EnhancerTopology() {}

    /** One enhancer for every segment, no latency budget. */
    public static Topology build(StreamSettings settings, Enhancer enhancer, SegmentEvents events) {
        return build(settings, Ladder.single(enhancer), null, new RungCosts(), events);
    }

    /**
     * @param ladder the rungs a segment may run, best first
     * @param policy picks each segment's rung within the latency budget; null runs the top rung
     * @param costs what each rung costs, shared by all stream threads
     */
    public static Topology build(
            StreamSettings settings, Ladder ladder, TierPolicy policy, RungCosts costs, SegmentEvents events) {
        Serializer<MessageLite> protoSerializer = (topic, value) -> value == null ? null : value.toByteArray();
        Topology topology = new Topology();
        topology.addSource(
                SOURCE, new StringDeserializer(), Serdes.videoSegment().deserializer(), settings.inputTopic());
        topology.addProcessor(PROCESSOR, () -> new SegmentProcessor(settings, ladder, policy, costs, events), SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(StoreNames.STREAM_PROGRESS),
                        org.apache.kafka.common.serialization.Serdes.String(),
                        Serdes.streamProgress()),
                PROCESSOR);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(StoreNames.FRAME_TAIL),
                                org.apache.kafka.common.serialization.Serdes.String(),
                                Serdes.frameTail())
                        // Frames are large: skip the cache so a changelog record is one segment's tail.
                        .withCachingDisabled(),
                PROCESSOR);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(StoreNames.WINDOW_LATENTS),
                                org.apache.kafka.common.serialization.Serdes.String(),
                                Serdes.windowCarry())
                        .withCachingDisabled(),
                PROCESSOR);
        topology.addSink(
                SegmentProcessor.TO_OUTPUT, settings.outputTopic(), new StringSerializer(), protoSerializer, PROCESSOR);
        topology.addSink(
                SegmentProcessor.TO_DEAD_LETTERS,
                settings.deadLetterTopic(),
                new StringSerializer(),
                protoSerializer,
                PROCESSOR);
        return topology;
    }
}
