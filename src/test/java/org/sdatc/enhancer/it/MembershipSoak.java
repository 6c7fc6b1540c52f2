package org.sdatc.enhancer.it;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.app.kafka.Topics;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.stream.VideoSegments;

/**
 * Measures (not a CI test) how long output stops when {@code run} is killed with SIGKILL and
 * restarted at once on the same state dir, as an orchestrator would, with and without static
 * membership and with Kafka's old 45 s session timeout. Live input (2 streams, a 0.5 s segment
 * each every 0.5 s) flows throughout. Per restart it prints: restart to the first output the new
 * process published, restart to /health/ready 200, and whether it was RUNNING but not ready first.
 *
 * <p>Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt},
 * then {@code java --enable-native-access=ALL-UNNAMED -cp
 * target/classes:target/test-classes:$(cat target/cp.txt) org.sdatc.enhancer.it.MembershipSoak
 * [ROUNDS]}.
 */
public final class MembershipSoak {
    private record Mode(String name, List<String> settings) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Mode> modes = List.of(
                new Mode("dynamic, session 45 s (Kafka's default)", List.of("kafka.session.timeout.ms=45000")),
                new Mode("dynamic, session 10 s (the service's default)", List.of()),
                new Mode("static (sdatc.group.instance.id), session 10 s", List.of("sdatc.group.instance.id=soak-0")));
        Path dir = Files.createTempDirectory("membership-soak-");
        List<String> summary = new ArrayList<>();
        try (KafkaCluster kafka = KafkaCluster.start()) {
            int m = 0;
            for (Mode mode : modes) {
                summary.add(measure(kafka, dir.resolve("m" + m), "m" + m, mode, rounds));
                m++;
            }
        }
        System.out.println();
        summary.forEach(System.out::println);
        System.exit(0);
    }

    private static String measure(KafkaCluster kafka, Path dir, String name, Mode mode, int rounds) throws Exception {
        Files.createDirectories(dir);
        String in = name + "-in";
        String outTopic = name + "-out";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Topics.ensure(admin, Set.of(in, outTopic, name + "-dlq"), 2, KafkaCluster.MAX_RECORD_BYTES);
        }
        List<String> settings = new ArrayList<>(List.of(
                "sdatc.application.id=soak-" + name,
                "sdatc.state.dir=" + dir.resolve("state"),
                "sdatc.topic.input=" + in,
                "sdatc.topic.output=" + outTopic,
                "sdatc.topic.dead.letter=" + name + "-dlq",
                "sdatc.segment.worst.seconds=10"));
        settings.addAll(mode.settings());
        List<CutSegment> clip = SegmentCutter.cut(
                SyntheticClip.generate(160, 96, 16 * 6, 7),
                new Rational(12, 1),
                0.5,
                new EncoderSettings("libx264", "veryfast", 26));
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread producer = new Thread(
                () -> {
                    try (SegmentPublisher publisher = new SegmentPublisher(
                            kafka.bootstrapServers(), Map.of(), in, KafkaCluster.MAX_RECORD_BYTES)) {
                        for (long seq = 0; publishing.get(); seq++) {
                            for (String stream : List.of("cam-a", "cam-b")) {
                                publisher.send(VideoSegments.of(stream, seq, clip.get((int) (seq % clip.size())), 26));
                            }
                            Thread.sleep(500);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "producer");
        List<String> lines = new ArrayList<>();
        try (OutputWatcher out = new OutputWatcher(kafka.bootstrapServers(), outTopic)) {
            producer.start();
            long firstStart = System.nanoTime();
            ServiceProcess service = ServiceProcess.start(
                    kafka.bootstrapServers(), dir.resolve("tmp"), dir.resolve("run.log"), settings);
            out.awaitCount(4, Duration.ofSeconds(120));
            lines.add(
                    String.format("  first start: first output after %.1f s", (lastFirst(out, 0) - firstStart) / 1e9));
            for (int r = 0; r < rounds; r++) {
                Thread.sleep(3000); // steady state
                service.kill();
                long restartedUs = System.currentTimeMillis() * 1000;
                long restarted = System.nanoTime();
                service = ServiceProcess.start(
                        kafka.bootstrapServers(), dir.resolve("tmp"), dir.resolve("run.log"), settings);
                double ready = -1;
                boolean runningNotReady = false;
                OutputWatcher.Seen first = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while ((first == null || ready < 0) && System.nanoTime() < deadline) {
                    if (first == null) {
                        first = out.firstPublishedAfter(restartedUs, Set.of(0, 1));
                    }
                    HttpResponse<String> answer = service.ready();
                    if (answer != null && ready < 0) {
                        if (answer.statusCode() == 200) {
                            ready = (System.nanoTime() - restarted) / 1e9;
                        } else if (answer.body().contains("\"state\":\"RUNNING\"")) {
                            runningNotReady = true;
                        }
                    }
                    Thread.sleep(50);
                }
                lines.add(String.format(
                        "  restart %d: first output %.1f s after the restart, ready after %.1f s%s",
                        r + 1,
                        first == null ? -1 : (first.atNanos() - restarted) / 1e9,
                        ready,
                        runningNotReady ? " (RUNNING but not ready before that)" : ""));
                System.out.println(mode.name() + lines.get(lines.size() - 1));
            }
            service.close();
        } finally {
            publishing.set(false);
            producer.join(10_000);
        }
        return mode.name() + ":\n" + String.join("\n", lines);
    }

    private static long lastFirst(OutputWatcher out, int index) {
        return out.seen().get(index).atNanos();
    }
}
