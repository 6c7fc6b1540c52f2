package org.sdatc.enhancer.app;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.sdatc.enhancer.app.kafka.EmbeddedKafka;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.tensor.Bicubic;
import org.sdatc.enhancer.tensor.Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the whole service on one machine with nothing installed but a JDK: a real KRaft
 * broker as a child process, a producer feeding a clip at live pace, the enhancer, and a consumer
 * that joins the enhanced segments into a playable MP4.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run broker, producer, enhancer and consumer on this machine; write an enhanced MP4.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "Video file to enhance. Default: a generated clip with motion.")
    Path input;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Where the enhanced MP4 goes (default: sdatc-demo-enhanced.mp4 in the system's temp"
                    + " directory, so a run leaves nothing in a checkout).")
    Path output;

    @Option(
            names = "--side-by-side",
            paramLabel = "FILE",
            description = "Also write an MP4 with bicubic x4 of the input on the left and the enhanced frames on the"
                    + " right (costs CPU next to the enhancer: latencies rise a little).")
    Path sideBySide;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Broker data, state and logs, removed at the end (default: a new temp directory).")
    Path workDir;

    @Option(names = "--seconds", defaultValue = "4", description = "Length of the generated clip (no --input).")
    double seconds;

    @Option(names = "--segment-seconds", defaultValue = "1.0", description = "GOP segment length.")
    double segmentSeconds;

    // Small by default so the SDATC engine on a 2-core CPU finishes in about two minutes; the
    // 1080p run is --width 480 --height 270 (see docs/benchmarks.md).
    @Option(names = "--width", defaultValue = "256", description = "Low-resolution width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(
            names = "--height",
            defaultValue = "144",
            description = "Low-resolution height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--crf", defaultValue = "28", description = "x264 CRF of the low-resolution input.")
    int crf;

    @Option(names = "--no-pace", description = "Send segments as fast as possible instead of at live pace.")
    boolean noPace;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Give up after this long (ISO-8601 duration).")
    Duration timeout;

    /** Settings that win over every option and file ({@code bench} fixes each run's tier with them). */
    Map<String, String> forced = Map.of();

    @Override
    public Integer call() throws Exception {
        Summary summary = execute(System.out);
        return summary.deadLetters() == 0 ? 0 : 1;
    }

    /**
     * What a demo run measured.
     *
     * @param latenciesMicros end-to-end latency of each enhanced segment, sorted
     * @param processingNanos from the first segment's processing start (its publication minus its
     *     stage times) to the last publication: the stream's working time, without broker start-up
     *     and waiting for input
     * @param stageNanos time per stage tag, summed over segments
     */
    record Summary(
            int segments,
            int deadLetters,
            int frames,
            double wallSeconds,
            long processingNanos,
            List<Long> latenciesMicros,
            Map<String, Integer> tiers,
            Map<String, Long> stageNanos) {}

    /** Runs the demo, printing progress and the summary to {@code out}. */
    Summary execute(PrintStream out) throws Exception {
        long started = System.nanoTime();
        if (output == null) {
            output = Path.of(System.getProperty("java.io.tmpdir"), "sdatc-demo-enhanced.mp4");
        }
        boolean ownWorkDir = workDir == null;
        Path work = ownWorkDir ? Files.createTempDirectory("sdatc-demo-") : Files.createDirectories(workDir);
        Path kafkaDir = work.resolve("kafka-" + ProcessHandle.current().pid());
        Path stateDir = work.resolve("state-" + ProcessHandle.current().pid());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 32 << 20, Duration.ofSeconds(90))) {
            // The demo knows its input size: measure the tiers before the first segment arrives, so
            // no live segment waits for the warm-up.
            ServiceConfig config = common.load(
                    Map.of(
                            "kafka.bootstrap.servers", kafka.bootstrapServers(),
                            "sdatc.state.dir", stateDir.toString(),
                            "sdatc.latency.warmup.sizes", width + "x" + height),
                    forced);
            SegmentEncoder.requireEncoder(config.stream().encoder());
            out.printf("broker %s up%n", kafka.bootstrapServers());
            try (ServiceRuntime runtime = ServiceRuntime.start(config, 1)) {
                return runDemo(config, runtime, out, started);
            }
        } finally {
            deleteRecursively(kafkaDir);
            deleteRecursively(stateDir);
            if (ownWorkDir) {
                deleteRecursively(work);
            }
        }
    }

    private Summary runDemo(ServiceConfig config, ServiceRuntime runtime, PrintStream out, long started)
            throws Exception {
        String streamId = "demo-" + ProcessHandle.current().pid();
        AtomicInteger sent = new AtomicInteger(-1);
        AtomicLong inputBytes = new AtomicLong();
        // Input payloads by sequence, for the side-by-side video's bicubic half.
        Map<Long, byte[]> inputs = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producerThread = Thread.ofPlatform().name("demo-producer").start(() -> {
            try (SegmentPublisher publisher = new SegmentPublisher(
                            config.bootstrapServers(),
                            config.kafkaOverrides(),
                            config.stream().inputTopic(),
                            config.maxRecordBytes());
                    var segments = SegmentSource.open(input, segmentSeconds, width, height, crf, seconds, 30)) {
                sent.set(publisher.publish(streamId, segments.iterator(), !noPace, crf, s -> {
                    inputBytes.addAndGet(s.getPayload().size());
                    if (sideBySide != null) {
                        inputs.put(s.getSequence(), s.getPayload().toByteArray());
                    }
                }));
            } catch (Throwable t) {
                producerFailure.set(t);
                sent.set(0);
            }
        });

        Files.createDirectories(output.toAbsolutePath().getParent());
        List<Long> latenciesMicros = new ArrayList<>();
        Map<String, Long> stageNanos = new java.util.LinkedHashMap<>();
        Map<String, Integer> tiers = new java.util.TreeMap<>();
        long budgetMs = config.latencyBudgetMs();
        int misses = 0;
        long outputBytes = 0;
        int frames = 0;
        int received = 0;
        int deadLetters = 0;
        long firstStartUs = Long.MAX_VALUE;
        long lastPublishedUs = Long.MIN_VALUE;
        long deadline = System.nanoTime() + timeout.toNanos();
        if (sideBySide != null) {
            Files.createDirectories(sideBySide.toAbsolutePath().getParent());
        }
        try (SegmentJoiner joiner = new SegmentJoiner(output);
                SideBySide comparison = sideBySide == null ? null : new SideBySide(sideBySide, config);
                SegmentCollector collector = new SegmentCollector(
                        config.bootstrapServers(),
                        config.kafkaOverrides(),
                        List.of(config.stream().outputTopic(), config.stream().deadLetterTopic()),
                        config.maxRecordBytes())) {
            List<Record> batch = new ArrayList<>();
            while (sent.get() < 0 || received + deadLetters < sent.get()) {
                if (System.nanoTime() > deadline) {
                    throw new UserError("demo timed out after " + timeout + ": " + received + " of "
                            + (sent.get() < 0 ? "?" : sent.get()) + " segments came back");
                }
                if (producerFailure.get() != null) {
                    throw new IllegalStateException("the demo producer failed", producerFailure.get());
                }
                if (runtime.service().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the enhancer's stream thread failed; see the log above");
                }
                batch.clear();
                collector.poll(Duration.ofMillis(200), (topic, r) -> batch.add(new Record(topic, r.value())));
                long now = System.currentTimeMillis() * 1000;
                for (Record r : batch) {
                    if (r.topic().equals(config.stream().deadLetterTopic())) {
                        DeadLetter letter = DeadLetter.parseFrom(r.value());
                        out.printf("dead letter: %s %s%n", letter.getReason(), letter.getMessage());
                        deadLetters++;
                        continue;
                    }
                    EnhancedSegment segment = parse(r.value());
                    joiner.append(segment.getPayload().toByteArray());
                    long latency = now - segment.getProducerTimestampUs();
                    latenciesMicros.add(latency);
                    String rung = segment.getTier() + (segment.getSteps() > 0 ? "@" + segment.getSteps() : "");
                    tiers.merge(rung, 1, Integer::sum);
                    boolean missed = budgetMs > 0 && latency / 1000 > budgetMs;
                    misses += missed ? 1 : 0;
                    if (comparison != null) {
                        comparison.append(inputs.remove(segment.getSequence()), segment);
                    }
                    received++;
                    frames += segment.getFrameCount();
                    outputBytes += segment.getPayload().size();
                    segment.getStageTimingsList().forEach(t -> stageNanos.merge(t.getStage(), t.getNanos(), Long::sum));
                    long segmentNanos = segment.getStageTimingsList().stream()
                            .mapToLong(t -> t.getNanos())
                            .sum();
                    firstStartUs = Math.min(firstStartUs, segment.getPublishedTimestampUs() - segmentNanos / 1000);
                    lastPublishedUs = Math.max(lastPublishedUs, segment.getPublishedTimestampUs());
                    out.printf(
                            "segment %d/%s: %d frames %dx%d, %s, %.1f MB, latency %d ms%s%n",
                            segment.getSequence() + 1,
                            sent.get() < 0 ? "?" : String.valueOf(sent.get()),
                            segment.getFrameCount(),
                            segment.getWidth(),
                            segment.getHeight(),
                            rung,
                            segment.getPayload().size() / 1e6,
                            latency / 1000,
                            missed ? " (over budget)" : "");
                }
            }
        }
        producerThread.join();
        double wall = (System.nanoTime() - started) / 1e9;
        Collections.sort(latenciesMicros);
        out.println();
        out.println("demo summary");
        out.printf("  segments:        %d enhanced, %d dead-lettered%n", received, deadLetters);
        out.printf("  frames:          %d (%.1f frames/s over %.1f s wall time)%n", frames, frames / wall, wall);
        out.printf("  input size:      %.2f MB (%dx%d, x264 crf %d)%n", inputBytes.get() / 1e6, width, height, crf);
        out.printf("  output size:     %.2f MB%n", outputBytes / 1e6);
        out.printf(
                "  latency e2e:     p50 %d ms, p95 %d ms, max %d ms%n",
                percentile(latenciesMicros, 0.50) / 1000,
                percentile(latenciesMicros, 0.95) / 1000,
                latenciesMicros.isEmpty() ? 0 : latenciesMicros.get(latenciesMicros.size() - 1) / 1000);
        StringBuilder perTier = new StringBuilder();
        tiers.forEach((rung, n) -> perTier.append(perTier.isEmpty() ? "" : ", ")
                .append(rung)
                .append(' ')
                .append(n));
        out.printf("  tiers:           %s (segments per tier)%n", perTier.isEmpty() ? "none" : perTier);
        out.printf(
                "  budget misses:   %s%n",
                budgetMs > 0
                        ? misses + " of " + received + " over " + budgetMs + " ms (sdatc.latency.budget.ms)"
                        : "no budget (sdatc.latency.budget.ms=0)");
        if (frames > 0) {
            StringBuilder stages = new StringBuilder();
            int perFrame = frames;
            stageNanos.forEach(
                    (stage, nanos) -> stages.append(String.format(" %s %.1f", stage, nanos / 1e6 / perFrame)));
            out.printf("  ms per frame:   %s%n", stages);
        }
        out.printf("  output file:     %s%n", output.toAbsolutePath());
        if (sideBySide != null) {
            out.printf("  side by side:    %s (bicubic | enhanced)%n", sideBySide.toAbsolutePath());
        }
        return new Summary(
                received,
                deadLetters,
                frames,
                wall,
                received == 0 ? 0 : (lastPublishedUs - firstStartUs) * 1000,
                List.copyOf(latenciesMicros),
                Map.copyOf(tiers),
                Collections.unmodifiableMap(stageNanos));
    }

    private record Record(String topic, byte[] value) {}

    /** The --side-by-side video: bicubic x4 of the input on the left, the enhanced frames on the right. */
    private static final class SideBySide implements AutoCloseable {
        private final SegmentJoiner joiner;
        private final ServiceConfig config;
        private final SegmentDecoder decoder = new SegmentDecoder();
        private final SegmentEncoder encoder = new SegmentEncoder();

        SideBySide(Path file, ServiceConfig config) {
            this.joiner = new SegmentJoiner(file);
            this.config = config;
        }

        void append(byte[] input, EnhancedSegment segment) {
            if (input == null) {
                throw new IllegalStateException("segment " + segment.getSequence()
                        + " came back but its input was not kept; cannot write the side-by-side video");
            }
            DecodeLimits limits = new DecodeLimits(16384, 16384, 100_000, Integer.MAX_VALUE);
            DecodedSegment low = decoder.decode(input, ContainerFormat.MPEGTS, VideoCodec.H264, limits);
            DecodedSegment high =
                    decoder.decode(segment.getPayload().toByteArray(), ContainerFormat.MPEGTS, VideoCodec.H264, limits);
            int n = Math.min(low.frames().size(), high.frames().size());
            List<Image> frames = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                frames.add(besideEachOther(
                        Bicubic.upscale(low.frames().get(i), segment.getScale()),
                        high.frames().get(i)));
            }
            joiner.append(encoder.encode(
                    frames,
                    java.util.Arrays.copyOf(high.pts(), n),
                    high.timeBase(),
                    high.frameRate(),
                    config.stream().encoder()));
        }

        private static Image besideEachOther(Image left, Image right) {
            int w = left.width() + right.width();
            int h = Math.max(left.height(), right.height());
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++) {
                if (y < left.height()) {
                    System.arraycopy(left.rgb(), y * left.width() * 3, rgb, y * w * 3, left.width() * 3);
                }
                if (y < right.height()) {
                    System.arraycopy(
                            right.rgb(), y * right.width() * 3, rgb, (y * w + left.width()) * 3, right.width() * 3);
                }
            }
            return new Image(w, h, rgb);
        }

        @Override
        public void close() {
            joiner.close();
        }
    }

    private static EnhancedSegment parse(byte[] value) {
        try {
            return EnhancedSegment.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the output topic holds a record that is not an EnhancedSegment", e);
        }
    }

    static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // Leftovers in the work dir are harmless; the next demo uses a new directory.
        }
    }
}
