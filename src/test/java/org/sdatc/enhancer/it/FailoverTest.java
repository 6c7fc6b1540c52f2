package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.app.kafka.Topics;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.stream.VideoSegments;

/**
 * Scaling past one machine: two {@code run} instances share an application id over a 4-partition
 * {@code sdatc-in} with {@code num.standby.replicas=1}; one is killed with SIGKILL mid-stream and
 * the other takes its tasks over from its standbys.
 *
 * <pre>
 *   sdatc-in  : p0 p1 p2 p3, 2 streams each, a round of segments every 0.75 s
 *   A (fo-a)  : 2 active tasks, standbys of B's  -> killed after 3 rounds are out
 *   B (fo-b)  : 2 active tasks, standbys of A's  -> all 4 active once A's session times out
 *   sdatc-out : every segment of every stream exactly once (read_committed)
 * </pre>
 *
 * The failover time (kill to the first output B published on A's partitions) is printed.
 */
class FailoverTest {
    private static final int PARTITIONS = 4;
    private static final int STREAMS_PER_PARTITION = 2;
    private static final int ROUNDS = 16;
    private static final long ROUND_MS = 750;
    private static final String APP = "failover-test";

    @TempDir
    Path dir;

    @Test
    void whenOneOfTwoInstancesIsKilledTheOtherTakesOverAndEverySegmentIsOutputExactlyOnce() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start()) {
            List<String> streams = streamsCoveringEveryPartition();
            List<CutSegment> segments = SegmentCutter.cut(
                    SyntheticClip.generate(160, 96, ROUNDS * 6, 5),
                    new Rational(12, 1),
                    0.5,
                    new EncoderSettings("libx264", "veryfast", 26));
            assertEquals(ROUNDS, segments.size());
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Topics.ensure(admin, Set.of("fo-in", "fo-out", "fo-dlq"), PARTITIONS, KafkaCluster.MAX_RECORD_BYTES);
            }
            try (OutputWatcher out = new OutputWatcher(kafka.bootstrapServers(), "fo-out");
                    ServiceProcess a = start(kafka, "fo-a");
                    ServiceProcess b = start(kafka, "fo-b")) {
                a.awaitReady(Duration.ofSeconds(90));
                b.awaitReady(Duration.ofSeconds(90));
                assertEquals(2, a.activeTasks(), "the tasks are spread: A holds two of four");
                assertEquals(2, b.activeTasks(), "B holds the other two");
                Set<Integer> partitionsOfA = partitionsOf(kafka, "fo-a");
                assertEquals(2, partitionsOfA.size(), partitionsOfA.toString());

                Thread producer = new Thread(() -> publish(kafka, streams, segments), "producer");
                producer.start();
                assertTrue(
                        out.awaitCount(3 * streams.size(), Duration.ofSeconds(60)),
                        "3 rounds out before the kill: " + out.count());
                long killedUs = System.currentTimeMillis() * 1000;
                long killed = System.nanoTime();
                a.kill();

                OutputWatcher.Seen first = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(75).toNanos();
                while (first == null && System.nanoTime() < deadline) {
                    first = out.firstPublishedAfter(killedUs, partitionsOfA);
                    Thread.sleep(20);
                }
                assertNotNull(first, "B published nothing on A's partitions " + partitionsOfA + "\n" + b.log());
                double failover = (first.atNanos() - killed) / 1e9;
                OutputWatcher.Seen ownFirst = out.firstPublishedAfter(killedUs, otherPartitions(partitionsOfA));
                System.out.printf(
                        "failover: A killed; first output of A's partitions %s after %.1f s (%s/%d); B's own"
                                + " partitions after %s%n",
                        partitionsOfA,
                        failover,
                        first.stream(),
                        first.sequence(),
                        ownFirst == null ? "-" : String.format("%.1f s", (ownFirst.atNanos() - killed) / 1e9));

                producer.join(60_000);
                assertFalse(producer.isAlive(), "all segments published");
                int total = streams.size() * ROUNDS;
                assertTrue(out.awaitCount(total, Duration.ofSeconds(90)), "outputs: " + out.count() + "/" + total);
                assertEquals(PARTITIONS, b.activeTasks(), "B runs all four tasks");
                assertTrue(b.isReady());
                // Give a duplicate every chance to show up before judging.
                Thread.sleep(3000);
                Map<String, Integer> counts = new TreeMap<>(out.counts());
                for (String stream : streams) {
                    for (int seq = 0; seq < ROUNDS; seq++) {
                        assertEquals(
                                1, counts.getOrDefault(stream + "/" + seq, 0), stream + "/" + seq + " output once");
                    }
                }
                assertEquals(total, counts.size());
                // Failover: A's session (10 s) to expire, the rebalance, and when A died with a
                // transaction open, its abort at transaction.timeout.ms (2 W + 30 s = 40 s here).
                assertTrue(failover < 60, "failover took " + failover + " s");
            }
        }
    }

    private ServiceProcess start(KafkaCluster kafka, String name) throws Exception {
        return ServiceProcess.start(
                kafka.bootstrapServers(),
                dir.resolve("tmp-" + name),
                dir.resolve(name + ".log"),
                List.of(
                        "sdatc.application.id=" + APP,
                        "sdatc.state.dir=" + dir.resolve("state-" + name),
                        "sdatc.topic.input=fo-in",
                        "sdatc.topic.output=fo-out",
                        "sdatc.topic.dead.letter=fo-dlq",
                        "sdatc.segment.worst.seconds=5",
                        "kafka.client.id=" + name,
                        "kafka.num.standby.replicas=1"));
    }

    private static void publish(KafkaCluster kafka, List<String> streams, List<CutSegment> segments) {
        try (SegmentPublisher publisher =
                new SegmentPublisher(kafka.bootstrapServers(), Map.of(), "fo-in", KafkaCluster.MAX_RECORD_BYTES)) {
            for (int round = 0; round < ROUNDS; round++) {
                long due = System.nanoTime() + ROUND_MS * 1_000_000;
                for (String stream : streams) {
                    publisher.send(VideoSegments.of(stream, round, segments.get(round), 26));
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stream ids whose keys land two on each partition (the producer's murmur2 partitioning). */
    private static List<String> streamsCoveringEveryPartition() {
        Map<Integer, Integer> perPartition = new HashMap<>();
        List<String> streams = new ArrayList<>();
        for (int i = 0; streams.size() < PARTITIONS * STREAMS_PER_PARTITION; i++) {
            String id = "cam-" + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (perPartition.merge(p, 1, Integer::sum) <= STREAMS_PER_PARTITION) {
                streams.add(id);
            }
        }
        return streams;
    }

    /** Partitions of fo-in assigned to the instance whose client id starts with {@code clientId}. */
    private static Set<Integer> partitionsOf(KafkaCluster kafka, String clientId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<Integer> partitions = new TreeSet<>();
            for (MemberDescription m : admin.describeConsumerGroups(List.of(APP))
                    .describedGroups()
                    .get(APP)
                    .get(30, TimeUnit.SECONDS)
                    .members()) {
                if (m.clientId().startsWith(clientId + "-")) {
                    for (TopicPartition tp : m.assignment().topicPartitions()) {
                        if (tp.topic().equals("fo-in")) {
                            partitions.add(tp.partition());
                        }
                    }
                }
            }
            return partitions;
        }
    }

    private static Set<Integer> otherPartitions(Set<Integer> of) {
        Set<Integer> other = new TreeSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            if (!of.contains(p)) {
                other.add(p);
            }
        }
        return other;
    }
}
