package org.sdatc.enhancer.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.stream.serde.MalformedRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that are not valid {@code VideoSegment}s to the dead-letter topic, in the same
 * {@code DeadLetter} format as the processor's own rejections, through Kafka Streams' built-in
 * dead-letter records (KIP-1034), so they are written in the task's transaction; the original bytes
 * are cut to fit one record ({@link DeadLetters}). Anything else fails the stream thread: it is not
 * about one record.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    /** Config key (passed through StreamsConfig) naming the dead-letter topic. */
    public static final String DEAD_LETTER_TOPIC_CONFIG = "sdatc.dead.letter.topic";

    /** Config key (passed through StreamsConfig) with the largest record the producer may send. */
    public static final String MAX_RECORD_BYTES_CONFIG = "sdatc.max.record.bytes";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private String deadLetterTopic = StreamSettings.DEFAULT_DEAD_LETTER_TOPIC;
    private SegmentEvents events = SegmentEvents.NONE;
    private int maxRecordBytes = StreamSettings.DEFAULT_MAX_RECORD_BYTES;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DEAD_LETTER_TOPIC_CONFIG);
        if (topic != null) {
            deadLetterTopic = topic.toString();
        }
        Object max = configs.get(MAX_RECORD_BYTES_CONFIG);
        if (max != null) {
            maxRecordBytes = Integer.parseInt(max.toString());
        }
        Object l = configs.get(SegmentEvents.CONFIG);
        if (l instanceof SegmentEvents given) {
            events = given;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
        if (!(e instanceof MalformedRecordException)) {
            return Response.fail();
        }
        byte[] key = record.key();
        String streamId = DeadLetters.abbreviate(
                key == null ? "" : new String(key, StandardCharsets.UTF_8), DeadLetters.MAX_ID_CHARS);
        if (key != null && key.length > SegmentProcessor.MAX_STREAM_ID_BYTES) {
            key = streamId.getBytes(StandardCharsets.UTF_8);
        }
        String message = "stream '" + streamId + "' (" + context.topic() + "-" + context.partition() + "@"
                + context.offset() + "): " + e.getMessage();
        events.deadLettered(DeadLetterReason.MALFORMED_RECORD);
        DeadLetter.Builder letter = DeadLetter.newBuilder()
                .setStreamId(streamId)
                .setSequence(-1)
                .setReason(DeadLetterReason.MALFORMED_RECORD.name())
                .setMessage(message)
                .setFailedTimestampUs(System.currentTimeMillis() * 1000)
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset());
        DeadLetter value = DeadLetters.fit(
                letter,
                record.value() == null
                        ? com.google.protobuf.ByteString.EMPTY
                        : com.google.protobuf.ByteString.copyFrom(record.value()),
                key == null ? 0 : key.length,
                maxRecordBytes);
        log.warn("dead-lettered {}: {}", DeadLetterReason.MALFORMED_RECORD, value.getMessage());
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, key, value.toByteArray())));
    }
}
