package org.sdatc.enhancer.app.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads committed records of some topics from the beginning, as a downstream consumer of the
 * enhancer would (isolation level read_committed, so aborted transactions never show).
 */
public final class SegmentCollector implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;

    public SegmentCollector(
            String bootstrapServers, Map<String, String> clientOverrides, List<String> topics, int maxRecordBytes) {
        Map<String, Object> props = new HashMap<>(clientOverrides);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "sdatc-collector-" + java.util.UUID.randomUUID());
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxRecordBytes);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(maxRecordBytes, 52428800));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics);
    }

    /** Polls once, handing each record (topic, record) to the sink; returns how many came. */
    public int poll(Duration timeout, BiConsumer<String, ConsumerRecord<String, byte[]>> sink) {
        int n = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            sink.accept(r.topic(), r);
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
