package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;

/**
 * Exactly-once across a hard crash: the service runs as a separate JVM ({@code run}), is killed
 * with SIGKILL mid-stream (no clean close, open transaction), and restarted on the same state dir.
 * A read_committed consumer must then see every input segment exactly once, and the second run
 * must stop cleanly on SIGTERM:
 *
 * <pre>
 *   sdatc-in : 0 1 2 ... 23
 *   run #1   : 0 1 2 3 4 [killed while processing]
 *   run #2   :           5 ... 23   (4 or 5 may be redone, but its first attempt was never committed)
 *   sdatc-out: 0 1 2 ... 23, each once
 * </pre>
 */
class CrashRecoveryTest {
    private static final int SEGMENTS = 24;

    @TempDir
    Path dir;

    @Test
    void aServiceKilledMidStreamAndRestartedCommitsEverySegmentExactlyOnce() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start()) {
            List<CutSegment> segments = SegmentCutter.cut(
                    SyntheticClip.generate(160, 96, SEGMENTS * 6, 11),
                    new Rational(12, 1),
                    0.5,
                    new EncoderSettings("libx264", "veryfast", 26));
            assertEquals(SEGMENTS, segments.size());
            try (SegmentPublisher publisher = new SegmentPublisher(
                    kafka.bootstrapServers(), Map.of(), "crash-in", KafkaCluster.MAX_RECORD_BYTES)) {
                Process first = startService(kafka, "first.log");
                try {
                    publisher.publish("cam-crash", segments.iterator(), false, 26, s -> {});
                    awaitCommitted(kafka, 4, Duration.ofSeconds(120));
                } finally {
                    first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            // RocksDB's JNI library lives under the state dir, not in a fresh temp file per start.
            try (var left = java.nio.file.Files.list(dir.resolve("tmp"))) {
                List<String> rocks = left.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("librocksdbjni"))
                        .toList();
                assertEquals(List.of(), rocks, "the killed run left no RocksDB library in the temp dir");
            }
            assertTrue(java.nio.file.Files.isRegularFile(
                    dir.resolve("state").resolve("native").resolve("librocksdbjni-linux64.so")));
            int beforeRestart = committed(kafka, Duration.ofSeconds(3)).size();
            assertTrue(beforeRestart < SEGMENTS, "the kill came before the end (" + beforeRestart + " committed)");

            Process second = startService(kafka, "second.log");
            try {
                Map<Long, Integer> seen = awaitCommitted(kafka, SEGMENTS, Duration.ofSeconds(180));
                assertEquals(SEGMENTS, seen.size(), "every segment has a committed output");
                // Give a duplicate every chance to show up before judging.
                Map<Long, Integer> settled = committed(kafka, Duration.ofSeconds(5));
                for (long seq = 0; seq < SEGMENTS; seq++) {
                    assertEquals(1, settled.getOrDefault(seq, 0), "segment " + seq + " committed exactly once");
                }
            } finally {
                second.destroy(); // SIGTERM: the graceful path
                assertTrue(second.waitFor(90, TimeUnit.SECONDS), "run stops within 90 s of SIGTERM");
            }
            String log = java.nio.file.Files.readString(dir.resolve("second.log"));
            assertEquals(0, second.exitValue(), "a clean stop on SIGTERM exits 0:\n" + log);
            assertTrue(log.contains("stopped cleanly"), "run closed streams and enhancer on SIGTERM:\n" + log);
        }
    }

    private Process startService(KafkaCluster kafka, String logName) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx1g",
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-cp",
                System.getProperty("java.class.path"),
                "org.sdatc.enhancer.app.Main",
                "run",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--partitions",
                "1",
                "--enhancer",
                "bicubic"));
        for (String setting : List.of(
                "sdatc.application.id=crash-test",
                "sdatc.state.dir=" + dir.resolve("state"),
                "sdatc.topic.input=crash-in",
                "sdatc.topic.output=crash-out",
                "sdatc.topic.dead.letter=crash-dlq",
                "sdatc.segment.worst.seconds=10",
                "sdatc.metrics.port=0",
                "kafka.session.timeout.ms=6000")) {
            command.add("--set");
            command.add(setting);
        }
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName).toFile())
                .start();
    }

    /** Committed outputs per sequence, read from the start until {@code n} sequences are seen. */
    private static Map<Long, Integer> awaitCommitted(KafkaCluster kafka, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, Integer> seen = new TreeMap<>();
        try (SegmentCollector collector = new SegmentCollector(
                kafka.bootstrapServers(), Map.of(), List.of("crash-out"), KafkaCluster.MAX_RECORD_BYTES)) {
            while (seen.size() < n && System.nanoTime() < deadline) {
                collector.poll(
                        Duration.ofMillis(200), (topic, r) -> seen.merge(sequenceOf(r.value()), 1, Integer::sum));
            }
        }
        return seen;
    }

    /** Every committed output per sequence, read from the start for {@code quiet}. */
    private static Map<Long, Integer> committed(KafkaCluster kafka, Duration quiet) throws Exception {
        return awaitCommitted(kafka, Integer.MAX_VALUE, quiet);
    }

    private static long sequenceOf(byte[] value) {
        try {
            return EnhancedSegment.parseFrom(value).getSequence();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
