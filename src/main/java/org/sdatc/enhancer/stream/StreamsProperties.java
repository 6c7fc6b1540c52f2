package org.sdatc.enhancer.stream;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams settings sized for records of several megabytes that take seconds to process.
 *
 * <p>The timeout rule, for a worst-case segment processing time W: the stream thread cannot poll
 * while a segment is processed and processes records for up to half the poll interval, so {@code
 * max.poll.interval.ms = 3 W + 60 s}; a transaction stays open while a segment is processed (its
 * outputs and store writes are sent at the end, then committed every {@code commit.interval.ms}),
 * so {@code transaction.timeout.ms = 2 W + 30 s}, capped by the broker's {@code
 * transaction.max.timeout.ms} (15 min by default). Fewer records per poll keep the buffered work
 * small.
 */
public final class StreamsProperties {
    private static final String GLOBAL_PROCESSING_HANDLER = "processing.exception.handler.global.enabled";

    /**
     * How long a member that stops heartbeating (kill -9, lost node) keeps its tasks. Kafka's default
     * (45 s) is how long output stops after a hard crash; heartbeats come from the consumer's own
     * thread, so a long segment does not miss them, and 10 s still rides out a GC pause or a short
     * network stall. The broker's {@code group.min.session.timeout.ms} (6 s) is the floor.
     */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

    private StreamsProperties() {}

    /**
     * @param applicationId the Streams application id (consumer group, changelog prefix)
     * @param bootstrapServers the brokers
     * @param stateDir where the RocksDB stores live
     * @param worstSegment the longest a segment may take to process (W above)
     * @param maxRecordBytes the largest record the app reads or writes (segments and state)
     * @param settings topic names (the dead-letter handler needs one)
     * @param events where the dead-letter handler reports
     * @param groupInstanceId static membership when not null: Streams gives each stream thread's
     *     consumer {@code groupInstanceId-<thread index>}, so a restarted instance with the same id
     *     takes its tasks back without a rebalance; null for dynamic membership
     * @param overrides any Kafka client or Streams setting, applied last (SASL, SSL, ...)
     */
    public static Properties of(
            String applicationId,
            String bootstrapServers,
            String stateDir,
            Duration worstSegment,
            int maxRecordBytes,
            StreamSettings settings,
            SegmentEvents events,
            String groupInstanceId,
            Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        p.put(DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC_CONFIG, settings.deadLetterTopic());
        p.put(DeadLetterDeserializationHandler.MAX_RECORD_BYTES_CONFIG, String.valueOf(maxRecordBytes));
        p.put(SegmentEvents.CONFIG, events);
        // No global stores here; opting in now is what Kafka 5.0 will do by default. The partition
        // assignor builds its own StreamsConfig from the main consumer's settings, which hold only
        // consumer keys and consumer.-prefixed ones: without the prefixed copy it warns at every start.
        p.put(GLOBAL_PROCESSING_HANDLER, true);
        p.put(StreamsConfig.mainConsumerPrefix(GLOBAL_PROCESSING_HANDLER), true);

        long w = worstSegment.toMillis();
        int maxPollInterval = (int) (3 * w + 60_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), maxPollInterval);
        // An idle connection must outlive the longest wait between polls, or a rejoin is disrupted.
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG),
                Math.max(540_000, maxPollInterval + 60_000));
        // One segment per poll and one buffered per partition: on SIGTERM the thread stops after the
        // segment in flight instead of draining a batch (a batch of 10 segments outlasted the grace).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1);
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 1);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int)
                Math.min(900_000, 2 * w + 30_000));

        // Multi-megabyte segments and frame tails: every hop must accept them.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecordBytes);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxRecordBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), Math.max(maxRecordBytes, 52428800));
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), String.valueOf(maxRecordBytes));
        // The record cache cannot hold many segments' state anyway; stores above bypass it.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);

        // Unprefixed, so that kafka.session.timeout.ms replaces it (a prefixed key would win over it).
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, DEFAULT_SESSION_TIMEOUT_MS);
        if (groupInstanceId != null) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }

        p.putAll(overrides);
        return p;
    }
}
