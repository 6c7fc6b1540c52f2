package org.sdatc.enhancer.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;

/**
 * Reads the output topic with read_committed from the start, on its own thread, and remembers when
 * each enhanced segment became visible: what a downstream packager sees.
 */
final class OutputWatcher implements AutoCloseable {
    /** One committed output, as a consumer saw it. */
    record Seen(String stream, long sequence, int partition, long atNanos, long publishedUs) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    OutputWatcher(String bootstrapServers, String topic) {
        thread = new Thread(
                () -> {
                    try (SegmentCollector collector = new SegmentCollector(
                            bootstrapServers, Map.of(), List.of(topic), KafkaCluster.MAX_RECORD_BYTES)) {
                        while (running) {
                            collector.poll(Duration.ofMillis(100), (t, r) -> {
                                EnhancedSegment s = parse(r.value());
                                seen.add(new Seen(
                                        s.getStreamId(),
                                        s.getSequence(),
                                        r.partition(),
                                        System.nanoTime(),
                                        s.getPublishedTimestampUs()));
                            });
                        }
                    }
                },
                "output-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    int count() {
        return seen.size();
    }

    /** How many times each "stream/sequence" was output. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (Seen s : seen) {
            counts.merge(s.stream() + "/" + s.sequence(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The first output seen that was published after {@code wallMicros} (wall clock, as the service
     * stamps it) on one of {@code partitions}, or null.
     */
    Seen firstPublishedAfter(long wallMicros, java.util.Set<Integer> partitions) {
        for (Seen s : seen) {
            if (s.publishedUs() > wallMicros && partitions.contains(s.partition())) {
                return s;
            }
        }
        return null;
    }

    boolean awaitCount(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return seen.size() >= n;
    }

    private static EnhancedSegment parse(byte[] value) {
        try {
            return EnhancedSegment.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
