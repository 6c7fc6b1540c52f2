package org.sdatc.enhancer.app.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.VideoSegments;

/**
 * Sends GOP segments of one stream to the input topic as a live encoder would: keyed by stream id,
 * numbered from 0 in one epoch (producer session), and (when paced) each sent when its video time
 * has come.
 */
public final class SegmentPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final long epoch;

    /** A publisher of epoch 0: for a stream that is numbered once, from 0, and never restarts. */
    public SegmentPublisher(
            String bootstrapServers, Map<String, String> clientOverrides, String topic, int maxRecordBytes) {
        this(bootstrapServers, clientOverrides, topic, maxRecordBytes, 0);
    }

    /**
     * @param epoch the producer session its segments carry ({@code VideoSegment.epoch}): a publisher
     *     that numbers a stream from 0 again must use a higher one than the last, or the service
     *     skips its segments as duplicates
     */
    public SegmentPublisher(
            String bootstrapServers,
            Map<String, String> clientOverrides,
            String topic,
            int maxRecordBytes,
            long epoch) {
        Map<String, Object> props = new HashMap<>(clientOverrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.epoch = epoch;
    }

    /**
     * Sends every segment, waiting for each acknowledgement.
     *
     * @param paced wait until each segment's start time in video time has passed (live pace)
     * @param onSent called after each acknowledged send
     * @return how many segments were sent
     */
    public int publish(
            String streamId, Iterator<CutSegment> segments, boolean paced, Integer crf, Consumer<VideoSegment> onSent)
            throws InterruptedException {
        return publish(streamId, 0, segments, paced, crf, onSent);
    }

    /** As above, numbering segments from {@code firstSequence}. */
    public int publish(
            String streamId,
            long firstSequence,
            Iterator<CutSegment> segments,
            boolean paced,
            Integer crf,
            Consumer<VideoSegment> onSent)
            throws InterruptedException {
        long start = System.nanoTime();
        double videoSeconds = 0;
        int sent = 0;
        long sequence = firstSequence;
        while (segments.hasNext()) {
            CutSegment s = segments.next();
            if (paced) {
                long due = start + (long) (videoSeconds * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            VideoSegment segment = VideoSegments.of(streamId, epoch, sequence, s, crf);
            send(segment);
            onSent.accept(segment);
            videoSeconds += s.frameCount() / s.frameRate().toDouble();
            sequence++;
            sent++;
        }
        producer.flush();
        return sent;
    }

    /** Sends one segment, keyed by its stream id, and waits for the acknowledgement. */
    public void send(VideoSegment segment) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic, segment.getStreamId(), segment.toByteArray()))
                    .get();
        } catch (ExecutionException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SendFailedException(
                    "sending segment " + segment.getSequence() + " of stream '" + segment.getStreamId() + "' to "
                            + topic + " failed: " + cause.getMessage(),
                    cause);
        }
    }

    /**
     * Fails at once, with a message saying what to do, when the topic does not exist or the brokers
     * do not answer within {@code timeout}, instead of each send waiting a minute for metadata.
     */
    public static void requireTopic(
            String bootstrapServers, Map<String, String> clientOverrides, String topic, Duration timeout)
            throws InterruptedException {
        Map<String, Object> props = new HashMap<>(clientOverrides);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int millis = (int) timeout.toMillis();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        try (Admin admin = Admin.create(props)) {
            Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!names.contains(topic)) {
                throw new SendFailedException(
                        "topic '" + topic + "' does not exist on " + bootstrapServers + "; create it (with"
                                + " max.message.bytes of at least sdatc.max.record.bytes) or start the service"
                                + " (run), which creates its topics",
                        null);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SendFailedException(
                    "cannot list the topics of " + bootstrapServers + " within " + timeout.toSeconds() + " s (" + cause
                            + "); check kafka.bootstrap.servers and the security settings",
                    cause);
        }
    }

    /** Sending did not work, for a reason outside this program (broker, topic, credentials). */
    public static final class SendFailedException extends RuntimeException {
        SendFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
