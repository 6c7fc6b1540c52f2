package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
 * A rolling update: SIGTERM reaches {@code run} (its own JVM, real broker) while it enhances a
 * segment, with the rest of the stream already queued on {@code sdatc-in}. It must finish the
 * segment in flight, commit it, close and exit 0 within the grace, without draining the queue; the
 * restarted instance (same state dir, same transactional id) then outputs the rest:
 *
 * <pre>
 *   sdatc-in  : 0 1 2 3 4 5              (all queued before the first output)
 *   run #1    : 0 [1 in flight] SIGTERM  -> 1 finished and committed, exit 0; 2.. untouched
 *   run #2    :        2 3 4 5           (1 is not redone)
 *   sdatc-out : 0 1 2 3 4 5, each once, in order (read_committed)
 * </pre>
 *
 * The segments run the engine's {@code dcm} tier (the built-in model, latency budget off) so that
 * one takes seconds on a CPU, long enough to signal in the middle of one. The time from SIGTERM to
 * exit is printed.
 */
class SigtermDrainTest {
    private static final int SEGMENTS = 6;
    private static final String STREAM = "cam-drain";
    /** {@code sdatc.segment.worst.seconds}: the close budget, and the grace, is this plus 60 s. */
    private static final int WORST_SECONDS = 20;

    private static final Duration GRACE = Duration.ofSeconds(WORST_SECONDS + 60);

    @TempDir
    Path dir;

    @Test
    void sigtermWhileASegmentIsEnhancedFinishesThatOneExitsZeroAndTheRestartOutputsTheRestOnceInOrder()
            throws Exception {
        long testStart = System.nanoTime();
        try (KafkaCluster kafka = KafkaCluster.start()) {
            // 256x144, 8 frames a segment: one segment of the dcm tier takes 2-5 s on 2 loaded cores.
            List<CutSegment> segments = SegmentCutter.cut(
                    SyntheticClip.generate(256, 144, SEGMENTS * 8, 23),
                    new Rational(8, 1),
                    1.0,
                    new EncoderSettings("libx264", "veryfast", 26));
            assertEquals(SEGMENTS, segments.size());
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Topics.ensure(admin, Set.of("drain-in", "drain-out", "drain-dlq"), 1, KafkaCluster.MAX_RECORD_BYTES);
            }

            try (OutputWatcher out = new OutputWatcher(kafka.bootstrapServers(), "drain-out")) {
                long inFlight;
                int exit;
                double drainSeconds;
                double intoSegmentSeconds;
                try (ServiceProcess first = start(kafka, "first.log")) {
                    first.awaitReady(Duration.ofSeconds(120));
                    System.out.printf("drain: run #1 ready after %.1f s%n", (System.nanoTime() - testStart) / 1e9);
                    try (SegmentPublisher publisher = new SegmentPublisher(
                            kafka.bootstrapServers(), Map.of(), "drain-in", KafkaCluster.MAX_RECORD_BYTES)) {
                        for (int seq = 0; seq < SEGMENTS; seq++) {
                            publisher.send(VideoSegments.of(STREAM, seq, segments.get(seq), 26));
                        }
                    }
                    assertTrue(
                            out.awaitCount(1, Duration.ofSeconds(120)), "the first segment came out\n" + first.log());
                    long firstOut = System.nanoTime();
                    inFlight = awaitSegmentInFlight(first);
                    intoSegmentSeconds = (System.nanoTime() - firstOut) / 1e9;
                    long term = System.nanoTime();
                    exit = first.stop(GRACE);
                    drainSeconds = (System.nanoTime() - term) / 1e9;
                    String log = first.log();
                    assertEquals(0, exit, "a clean stop on SIGTERM exits 0 within " + GRACE + ":\n" + log);
                    assertTrue(
                            log.contains("shutdown requested: finishing the segment in flight"),
                            "run says it finishes the segment in flight:\n" + log);
                    assertTrue(log.contains("stopped cleanly"), "run closed streams and enhancer:\n" + log);
                    assertTrue(
                            log.contains("stream=" + STREAM + " seq=" + inFlight + " "),
                            "the segment in flight (" + inFlight + ") was enhanced to the end:\n" + log);
                    System.out.println("drain: run #1 enhanced (seq=ms) " + took(log));
                }

                // What the first run committed, given a moment to reach the watcher.
                Thread.sleep(2000);
                List<Long> beforeRestart = sequences(out);
                System.out.printf(
                        "drain: SIGTERM %.1f s into segment %d of %d; exit %d after %.1f s (grace %d s); %d"
                                + " segments out before the exit: %s%n",
                        intoSegmentSeconds,
                        inFlight,
                        SEGMENTS,
                        exit,
                        drainSeconds,
                        GRACE.toSeconds(),
                        beforeRestart.size(),
                        beforeRestart);
                assertEquals(
                        LongStream.rangeClosed(0, inFlight).boxed().toList(),
                        beforeRestart,
                        "the first run output every segment up to the one in flight, and no more");
                assertTrue(beforeRestart.size() < SEGMENTS, "the queue was not drained: " + beforeRestart);

                long restart = System.nanoTime();
                try (ServiceProcess second = start(kafka, "second.log")) {
                    assertTrue(
                            out.awaitCount(SEGMENTS, Duration.ofSeconds(120)),
                            "every segment out after the restart: " + sequences(out) + "\n" + second.log());
                    System.out.printf(
                            "drain: run #2 output the rest %.1f s after its start, enhanced (seq=ms) %s%n",
                            (System.nanoTime() - restart) / 1e9, took(second.log()));
                    // Give a duplicate every chance to show up before judging.
                    Thread.sleep(2000);
                    assertEquals(
                            LongStream.range(0, SEGMENTS).boxed().toList(),
                            sequences(out),
                            "each segment output once, in sequence order");
                    String log = second.log();
                    for (long seq = 0; seq <= inFlight; seq++) {
                        assertFalse(
                                log.contains("stream=" + STREAM + " seq=" + seq + " "),
                                "segment " + seq + " was committed before the exit, not redone:\n" + log);
                    }
                    assertEquals(0, second.stop(GRACE), "the restarted run stops cleanly too:\n" + log);
                }
            }
        }
        System.out.printf("drain: the test took %.1f s%n", (System.nanoTime() - testStart) / 1e9);
    }

    /**
     * Waits until a segment has been taken in but not yet put out ({@code sdatc_segments_in_total}
     * above {@code sdatc_segments_out_total}) and returns its sequence number.
     */
    private static long awaitSegmentInFlight(ServiceProcess run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            double in = run.metric("sdatc_segments_in_total");
            double out = run.metric("sdatc_segments_out_total");
            if (in > out) {
                return (long) in - 1;
            }
            if (out >= SEGMENTS) {
                throw new AssertionError("every segment was enhanced before one could be caught in flight");
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no segment in flight within 60 s\n" + run.log());
    }

    /** "seq=took" of each segment of the stream a run's log says it enhanced. */
    private static List<String> took(String log) {
        Matcher m = Pattern.compile("stream=" + STREAM + " seq=(\\d+) .* took=(\\d+)ms")
                .matcher(log);
        List<String> took = new ArrayList<>();
        while (m.find()) {
            took.add(m.group(1) + "=" + m.group(2));
        }
        return took;
    }

    private static List<Long> sequences(OutputWatcher out) {
        return out.seen().stream().map(OutputWatcher.Seen::sequence).toList();
    }

    private ServiceProcess start(KafkaCluster kafka, String logName) throws Exception {
        return ServiceProcess.start(
                kafka.bootstrapServers(),
                dir.resolve("tmp"),
                dir.resolve(logName),
                List.of(
                        "sdatc.application.id=drain-test",
                        "sdatc.state.dir=" + dir.resolve("state"),
                        "sdatc.topic.input=drain-in",
                        "sdatc.topic.output=drain-out",
                        "sdatc.topic.dead.letter=drain-dlq",
                        "sdatc.segment.worst.seconds=" + WORST_SECONDS,
                        // The SDATC engine's dcm tier, every segment: seconds per segment on a CPU.
                        "sdatc.enhancer=sdatc",
                        "sdatc.engine.tier=dcm",
                        "sdatc.latency.budget.ms=0",
                        "kafka.session.timeout.ms=6000"));
    }
}
