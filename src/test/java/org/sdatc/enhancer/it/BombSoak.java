package org.sdatc.enhancer.it;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.sdatc.enhancer.app.kafka.EmbeddedKafka;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.app.kafka.Topics;
import org.sdatc.enhancer.media.DecompressionBomb;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.VideoSegments;

/**
 * Not a test: issue 11's decompression bomb against {@code run --enhancer bicubic} as a separate
 * JVM on a real broker, with that JVM's peak RSS (VmHWM) sampled. Run by hand:
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.sdatc.enhancer.it.BombSoak [XMX [SERVICE_CLASSPATH [--set KEY=VALUE ...]]]
 * </pre>
 *
 * XMX is the service's -Xmx (default: none, the JVM's own, a quarter of RAM). SERVICE_CLASSPATH
 * runs another build of the service (an older one, to compare). It sends the bomb (600 black
 * 960x540 frames in one GOP, frame_count declared) as segment 0 of stream "bomb", then a normal
 * segment 1, and reports what came out, the service's exit status if it died, and its peak RSS.
 */
public final class BombSoak {
    private BombSoak() {}

    public static void main(String[] args) throws Exception {
        String xmx = args.length > 0 && !args[0].equals("-") ? args[0] : null;
        String classpath = args.length > 1 && !args[1].equals("-") ? args[1] : System.getProperty("java.class.path");
        List<String> extra = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            extra.add(args[i]);
        }
        Path dir = Files.createTempDirectory("bomb-soak");
        int limit = 16 << 20;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("broker"), limit, Duration.ofSeconds(90))) {
            Map<String, Object> admin = new HashMap<>();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                Topics.ensure(a, Set.of("sdatc-in", "sdatc-out", "sdatc-dlq"), 1, limit);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED"));
            if (xmx != null) {
                command.add("-Xmx" + xmx);
            }
            command.addAll(List.of(
                    "-cp",
                    classpath,
                    "org.sdatc.enhancer.app.Main",
                    "run",
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--enhancer",
                    "bicubic",
                    "--set",
                    "sdatc.state.dir=" + dir.resolve("state"),
                    "--set",
                    "sdatc.metrics.port=0",
                    "--set",
                    "sdatc.segment.worst.seconds=900"));
            command.addAll(extra);
            Process service = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("service.log").toFile())
                    .start();
            System.out.println("service pid " + service.pid() + ", log " + dir.resolve("service.log"));
            byte[] bomb = DecompressionBomb.mpegts(960, 540, 600);
            VideoSegment normal = VideoSegments.of(
                    "bomb",
                    1,
                    SegmentCutter.cut(
                                    SyntheticClip.generate(960, 540, 25, 1),
                                    new Rational(25, 1),
                                    1.0,
                                    new EncoderSettings("libx264", "veryfast", 26))
                            .get(0),
                    26);
            VideoSegment bombSegment = normal.toBuilder()
                    .setSequence(0)
                    .setPayload(ByteString.copyFrom(bomb))
                    .setFrameCount(600)
                    .build();
            System.out.println("bomb: " + bomb.length + " bytes, 600 frames of 960x540");
            long start = System.nanoTime();
            try (SegmentPublisher publisher =
                            new SegmentPublisher(kafka.bootstrapServers(), Map.of(), "sdatc-in", limit);
                    SegmentCollector collector = new SegmentCollector(
                            kafka.bootstrapServers(), Map.of(), List.of("sdatc-out", "sdatc-dlq"), limit)) {
                publisher.send(bombSegment);
                publisher.send(normal);
                long peakKb = 0;
                boolean normalOut = false;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
                while (!normalOut && service.isAlive() && System.nanoTime() < deadline) {
                    peakKb = Math.max(peakKb, statusKb(service.pid(), "VmHWM:"));
                    long[] seen = {0};
                    collector.poll(Duration.ofMillis(500), (topic, r) -> {
                        try {
                            double s = (System.nanoTime() - start) / 1e9;
                            if (topic.equals("sdatc-dlq")) {
                                DeadLetter d = DeadLetter.parseFrom(r.value());
                                System.out.printf(
                                        "%.1f s: dead letter seq %d %s: %s%n",
                                        s, d.getSequence(), d.getReason(), d.getMessage());
                            } else {
                                EnhancedSegment e = EnhancedSegment.parseFrom(r.value());
                                System.out.printf(
                                        "%.1f s: enhanced seq %d: %d frames %dx%d, %d bytes%n",
                                        s,
                                        e.getSequence(),
                                        e.getFrameCount(),
                                        e.getWidth(),
                                        e.getHeight(),
                                        e.getPayload().size());
                                if (e.getSequence() == 1) {
                                    seen[0] = 1;
                                }
                            }
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    normalOut = seen[0] == 1;
                }
                peakKb = Math.max(peakKb, statusKb(service.pid(), "VmHWM:"));
                System.out.printf(
                        "after %.1f s: service %s, segment 1 %s, peak RSS %d MB%n",
                        (System.nanoTime() - start) / 1e9,
                        service.isAlive() ? "running" : "exited with " + service.waitFor(),
                        normalOut ? "enhanced" : "NOT enhanced",
                        peakKb / 1024);
            } finally {
                service.destroy();
                if (!service.waitFor(60, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        }
    }

    /** A field of /proc/PID/status in kB (0 once the process is gone). */
    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
