package org.sdatc.enhancer.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.sdatc.TieredEnhancer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: on one clip and in one run, FFmpeg's bicubic x4 + libx264 veryfast (the {@code
 * ffmpeg} binary) against the offline {@code enhance} pipeline at each requested tier, repeated and
 * reported as medians, so that load from other processes hits both sides alike and the ratio is
 * meaningful where absolute numbers are not; with {@code --streaming} also the stream on the
 * embedded broker at live pace, as {@code demo} runs it, per tier. The enhancers are built as {@code
 * enhance} builds them, so {@code --model}, {@code --model-dir} and {@code --set} apply.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Time the offline pipeline per tier against FFmpeg's bicubic x4 + libx264 veryfast on the same clip"
                    + " (medians of --repeat runs, ratio ours/FFmpeg), with ms/frame per stage; --streaming adds"
                    + " the stream on an embedded broker at live pace (frames/s, end-to-end latency p50/p95/max)."
                    + " Needs FFmpeg's ffmpeg and ffprobe binaries.",
            "--tier takes a comma-separated list (default: every trained tier of the model)."
        })
public final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin
    CommonOptions common;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description =
                    "Clip to measure on. Default: a generated testsrc2 clip of --width x --height, --fps, --seconds.")
    Path input;

    @Option(names = "--width", defaultValue = "480", description = "Generated clip width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(
            names = "--height",
            defaultValue = "270",
            description = "Generated clip height (default: ${DEFAULT-VALUE}).")
    int height;

    @Option(
            names = "--fps",
            defaultValue = "25",
            description = "Generated clip frame rate (default: ${DEFAULT-VALUE}).")
    int fps;

    @Option(
            names = "--seconds",
            defaultValue = "4",
            description = "Generated clip length in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--repeat",
            defaultValue = "3",
            description = "Runs of each side; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--segment-seconds",
            defaultValue = "2.0",
            description = "Segment length of the offline runs, as enhance (default: ${DEFAULT-VALUE}).")
    double segmentSeconds;

    @Option(
            names = "--streaming",
            description = "Also run the stream (embedded broker, live pace, 1 s segments, latency budget off) once per"
                    + " tier.")
    boolean streaming;

    @Option(
            names = "--stream-timeout",
            defaultValue = "PT30M",
            description = "Give up on one streaming run after this long (ISO-8601; default: ${DEFAULT-VALUE}).")
    Duration streamTimeout;

    @Option(
            names = "--process",
            description = "Also time `enhance` as its own process (this JVM's java and class path, the same options),"
                    + " once per tier and run: what a user timing the command sees, JVM start and model load included.")
    boolean process;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the results as JSON here.")
    Path out;

    @Option(
            names = "--keep",
            paramLabel = "DIR",
            description = "Keep the clip and every output video here (default: a temp directory, removed).")
    Path keep;

    @Option(
            names = "--ffmpeg",
            paramLabel = "PATH",
            defaultValue = "ffmpeg",
            description = "The ffmpeg binary; ffprobe is expected beside it (default: ${DEFAULT-VALUE} on PATH).")
    String ffmpegBinary;

    /** One thing to time on our side: a tier of the engine, or the enhancer the configuration names. */
    private record Method(String label, Map<String, String> forced) {}

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new UserError("--repeat must be at least 1, got " + repeat);
        }
        List<Tier> requested = parseTiers(common.tier);
        FfmpegTool ffmpeg = new FfmpegTool(ffmpegBinary);
        ServiceConfig base = common.load(Map.of(), Map.of("sdatc.engine.tier", "auto"));
        List<Method> methods = methods(base, requested);
        Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("sdatc-bench-");
        try {
            return bench(ffmpeg, methods, work);
        } finally {
            if (keep == null) {
                deleteRecursively(work);
            }
        }
    }

    /** "dcm,bicubic" to tiers, in the order given; a name that is not a tier is an error naming it. */
    static List<Tier> parseTiers(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        Set<Tier> tiers = new LinkedHashSet<>();
        for (String part : list.split(",")) {
            String tag = part.trim().toLowerCase(Locale.ROOT);
            if (tag.isEmpty()) {
                continue;
            }
            Tier tier = Arrays.stream(Tier.values())
                    .filter(t -> t.tag().equals(tag))
                    .findFirst()
                    .orElseThrow(() -> new UserError("unknown tier '" + part.trim() + "' in --tier " + list
                            + ": tiers are " + tierTags(Arrays.asList(Tier.values()))));
            tiers.add(tier);
        }
        return List.copyOf(tiers);
    }

    private static String tierTags(java.util.Collection<Tier> tiers) {
        return tiers.stream().map(Tier::tag).collect(Collectors.joining(", "));
    }

    /**
     * The tiers to time: those asked for, each checked against the model now (not after FFmpeg ran),
     * or without {@code --tier} every trained tier the model has, best first.
     */
    private static List<Method> methods(ServiceConfig base, List<Tier> requested) {
        if (base.enhancer() == ServiceConfig.EnhancerChoice.BICUBIC) {
            if (!requested.isEmpty()) {
                throw new UserError("--tier needs the SDATC engine (sdatc.enhancer=sdatc); with --enhancer bicubic"
                        + " there is one method, the bicubic enhancer");
            }
            return List.of(new Method("enhancer-bicubic", Map.of()));
        }
        List<Tier> tiers = new ArrayList<>();
        try (Enhancer enhancer = Enhancers.create(base)) {
            TieredEnhancer model = (TieredEnhancer) enhancer;
            if (requested.isEmpty()) {
                for (Tier t : Tier.values()) {
                    if (model.available().contains(t) && model.trained(t)) {
                        tiers.add(t);
                    }
                }
            } else {
                for (Tier t : requested) {
                    if (!model.available().contains(t)) {
                        throw new UserError("model " + model.manifest().name() + " has no tier " + t.tag()
                                + "; its tiers are " + tierTags(model.available()));
                    }
                    tiers.add(t);
                }
            }
        }
        List<Method> methods = new ArrayList<>();
        for (Tier t : tiers) {
            methods.add(new Method(t.tag(), Map.of("sdatc.engine.tier", t.tag())));
        }
        return methods;
    }

    private int bench(FfmpegTool ffmpeg, List<Method> methods, Path work) throws Exception {
        PrintStream log = System.err;
        double loadBefore = loadAverage();
        Path clip = input;
        boolean generated = clip == null;
        if (generated) {
            clip = work.resolve("clip-" + width + "x" + height + ".mp4");
            log.printf("generating %s (testsrc2, %dx%d, %d fps, %.1f s)%n", clip, width, height, fps, seconds);
            ffmpeg.generate(clip, width, height, fps, seconds);
        } else if (!Files.isReadable(clip)) {
            throw new UserError("input video " + clip + " does not exist or cannot be read");
        }
        FfmpegTool.Probe clipProbe = ffmpeg.probe(clip);

        Path reference = work.resolve("ffmpeg.mp4");
        List<Run> ffmpegRuns = new ArrayList<>();
        Map<Method, List<Run>> ours = new LinkedHashMap<>();
        Map<Method, String> models = new LinkedHashMap<>();
        Map<Method, List<Double>> processSeconds = new LinkedHashMap<>();
        methods.forEach(m -> ours.put(m, new ArrayList<>()));
        methods.forEach(m -> processSeconds.put(m, new ArrayList<>()));
        for (int r = 1; r <= repeat; r++) {
            log.printf("run %d/%d: ffmpeg%n", r, repeat);
            FfmpegTool.Timed t = ffmpeg.reference(clip, reference);
            ffmpegRuns.add(new Run(t.wallSeconds(), t.wallSeconds(), 0, t.cpuSeconds(), Map.of()));
            for (Method m : methods) {
                log.printf("run %d/%d: %s%n", r, repeat, m.label());
                ServiceConfig config = common.load(Map.of(), m.forced());
                ours.get(m).add(offline(config, clip, work.resolve(m.label() + ".mp4"), models, m));
                log.println();
                if (process) {
                    log.printf("run %d/%d: %s as a process%n", r, repeat, m.label());
                    processSeconds.get(m).add(enhanceProcess(m, clip, work.resolve("process-" + m.label() + ".mp4")));
                }
            }
        }
        FfmpegTool.Probe referenceProbe = ffmpeg.probe(reference);
        Map<Method, FfmpegTool.Probe> probes = new LinkedHashMap<>();
        for (Method m : methods) {
            probes.put(m, ffmpeg.probe(work.resolve(m.label() + ".mp4")));
        }
        Map<Method, DemoCommand.Summary> streams = new LinkedHashMap<>();
        if (streaming) {
            for (Method m : methods) {
                log.printf("streaming: %s%n", m.label());
                streams.put(m, stream(m, clip, clipProbe, work.resolve("stream-" + m.label() + ".mp4")));
            }
        }
        double loadAfter = loadAverage();

        int frames = clipProbe.frames();
        double ffmpegFps = frames / median(ffmpegRuns.stream().map(Run::seconds).toList());
        ObjectNode root = JSON.createObjectNode();
        root.put("tool", "sdatc-enhancer bench");
        root.put("date", Instant.now().toString());
        ObjectNode host = root.putObject("host");
        host.put("cores", Runtime.getRuntime().availableProcessors());
        host.put("load_average_start", round(loadBefore, 2));
        host.put("load_average_end", round(loadAfter, 2));
        ObjectNode in = root.putObject("input");
        in.put("path", clip.toAbsolutePath().toString());
        in.put("generated", generated);
        in.put("width", clipProbe.width());
        in.put("height", clipProbe.height());
        in.put("frames", frames);
        root.put("repetitions", repeat);
        ObjectNode ff = root.putObject("ffmpeg");
        ff.put("version", ffmpeg.version());
        ff.put("command", String.join(" ", ffmpeg.referenceCommand(clip, reference)));
        ff.put("frames_per_second", round(ffmpegFps, 3));
        ff.put(
                "cpu_ms_per_frame",
                round(median(ffmpegRuns.stream().map(Run::cpuSeconds).toList()) * 1000 / frames, 2));
        runsJson(ff.putArray("runs"), ffmpegRuns, frames);
        probeJson(ff.putObject("output"), referenceProbe);

        PrintStream o = System.out;
        o.println();
        o.printf(
                "bench: %s, %dx%d, %d frames, %d run%s each, medians; load average %.1f -> %.1f on %d cores%n",
                clip.getFileName(),
                clipProbe.width(),
                clipProbe.height(),
                frames,
                repeat,
                repeat == 1 ? "" : "s",
                loadBefore,
                loadAfter,
                Runtime.getRuntime().availableProcessors());
        o.printf(
                "%-18s %10s %8s %10s %9s  %s%n",
                "method", "frames/s", "ratio", "cpu ms/f", "open s", "ms/frame per stage");
        o.printf(
                "%-18s %10.2f %8.3f %10.1f %9s  %s%n",
                "ffmpeg",
                ffmpegFps,
                1.0,
                median(ffmpegRuns.stream().map(Run::cpuSeconds).toList()) * 1000 / frames,
                "-",
                "(bicubic x4 + libx264 veryfast, one process)");
        ArrayNode tiers = root.putArray("methods");
        for (Method m : methods) {
            List<Run> runs = ours.get(m);
            int n = runs.get(0).frames() > 0 ? runs.get(0).frames() : frames;
            double fpsAll = n / median(runs.stream().map(Run::seconds).toList());
            double fpsPipeline =
                    n / median(runs.stream().map(Run::pipelineSeconds).toList());
            double cpu = median(runs.stream().map(Run::cpuSeconds).toList()) * 1000 / n;
            double open = median(
                    runs.stream().map(r -> r.seconds() - r.pipelineSeconds()).toList());
            Map<String, Double> stages = medianStages(runs, n);
            ObjectNode t = tiers.addObject();
            t.put("method", m.label());
            t.put("tier", m.forced().get("sdatc.engine.tier"));
            t.put("model", models.get(m));
            t.put("frames", n);
            t.put("frames_per_second", round(fpsAll, 3));
            t.put("pipeline_frames_per_second", round(fpsPipeline, 3));
            t.put("open_seconds", round(open, 3));
            t.put("ratio_to_ffmpeg", round(fpsAll / ffmpegFps, 4));
            t.put("cpu_ms_per_frame", round(cpu, 2));
            ObjectNode st = t.putObject("ms_per_frame");
            stages.forEach((k, v) -> st.put(k, round(v, 2)));
            runsJson(t.putArray("runs"), runs, n);
            probeJson(t.putObject("output"), probes.get(m));
            String processNote = "";
            if (process) {
                double fpsProcess = frames / median(processSeconds.get(m));
                ObjectNode pj = t.putObject("process");
                pj.put("frames_per_second", round(fpsProcess, 3));
                pj.put("ratio_to_ffmpeg", round(fpsProcess / ffmpegFps, 4));
                ArrayNode pr = pj.putArray("seconds");
                processSeconds.get(m).forEach(v -> pr.add(round(v, 3)));
                processNote = String.format(
                        Locale.ROOT,
                        "%n%-18s %10.2f %8.3f %10s %9s  %s",
                        m.label() + " (process)",
                        fpsProcess,
                        fpsProcess / ffmpegFps,
                        "-",
                        "-",
                        "enhance as its own process: JVM start, model load");
            }
            o.printf(
                    "%-18s %10.2f %8.3f %10.1f %9.2f  %s%n",
                    m.label(),
                    fpsAll,
                    fpsAll / ffmpegFps,
                    cpu,
                    open,
                    stages.entrySet().stream()
                                    .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                                    .collect(Collectors.joining(", "))
                            + processNote);
            DemoCommand.Summary s = streams.get(m);
            if (s != null) {
                ObjectNode sj = t.putObject("streaming");
                double streamFps = s.processingNanos() > 0 ? s.frames() / (s.processingNanos() / 1e9) : 0;
                sj.put("frames", s.frames());
                sj.put("segments", s.segments());
                sj.put("dead_letters", s.deadLetters());
                sj.put("frames_per_second", round(streamFps, 3));
                sj.put("offline_frames_per_second", round(fpsPipeline, 3));
                sj.put("streaming_over_offline", round(streamFps / fpsPipeline, 3));
                sj.put("wall_seconds", round(s.wallSeconds(), 2));
                ObjectNode lat = sj.putObject("latency_ms");
                lat.put("p50", DemoCommand.percentile(s.latenciesMicros(), 0.50) / 1000);
                lat.put("p95", DemoCommand.percentile(s.latenciesMicros(), 0.95) / 1000);
                lat.put("max", DemoCommand.percentile(s.latenciesMicros(), 1.0) / 1000);
                ObjectNode sst = sj.putObject("ms_per_frame");
                s.stageNanos().forEach((k, v) -> sst.put(k, round(v / 1e6 / Math.max(1, s.frames()), 2)));
            }
        }
        o.println("ratio: frames/s over FFmpeg's; frames/s counts the enhancer's start-up (open s), as an enhance"
                + " run does; cpu ms/f: CPU time of this process (FFmpeg: its own -benchmark) per frame");
        if (!streams.isEmpty()) {
            o.println();
            o.printf(
                    "%-18s %12s %12s %9s %10s %10s %10s%n",
                    "streaming", "frames/s", "offline", "ratio", "p50 ms", "p95 ms", "max ms");
            for (var e : streams.entrySet()) {
                DemoCommand.Summary s = e.getValue();
                List<Run> runs = ours.get(e.getKey());
                double offline = runs.get(0).frames()
                        / median(runs.stream().map(Run::pipelineSeconds).toList());
                double streamFps = s.processingNanos() > 0 ? s.frames() / (s.processingNanos() / 1e9) : 0;
                o.printf(
                        "%-18s %12.2f %12.2f %9.3f %10d %10d %10d%n",
                        e.getKey().label(),
                        streamFps,
                        offline,
                        streamFps / offline,
                        DemoCommand.percentile(s.latenciesMicros(), 0.50) / 1000,
                        DemoCommand.percentile(s.latenciesMicros(), 0.95) / 1000,
                        DemoCommand.percentile(s.latenciesMicros(), 1.0) / 1000);
            }
            o.println("streaming frames/s: frames over the time from the first segment's processing start to the last"
                    + " publication (at live pace, at most the clip's rate); offline: the pipeline without start-up;"
                    + " latency: producer timestamp to the consumer's receipt, per segment");
        }
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(out.toFile(), root);
            o.printf("results: %s%n", out.toAbsolutePath());
        }
        if (keep != null) {
            o.printf("videos:  %s%n", keep.toAbsolutePath());
        }
        return streams.values().stream().anyMatch(s -> s.deadLetters() > 0) ? 1 : 0;
    }

    /**
     * One side's run.
     *
     * @param seconds the whole run (ours: enhancer start-up included)
     * @param pipelineSeconds ours without start-up
     * @param cpuSeconds CPU time (ours: this process, every thread)
     * @param stageNanos ours: time per stage tag ({@code cut} is reading and cutting the input)
     */
    private record Run(
            double seconds, double pipelineSeconds, int frames, double cpuSeconds, Map<String, Long> stageNanos) {}

    private Run offline(ServiceConfig config, Path clip, Path output, Map<Method, String> models, Method m)
            throws IOException {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try (Enhancer enhancer = Enhancers.create(config)) {
            long opened = System.nanoTime();
            models.put(m, enhancer.info().model());
            OfflineEnhance.Result r = OfflineEnhance.run(
                    config,
                    enhancer,
                    clip,
                    output,
                    segmentSeconds,
                    (frames, segments, nanos) -> System.err.printf(
                            "\r  %s: %d frames, %.2f frames/s   ", m.label(), frames, frames / (nanos / 1e9)));
            long done = System.nanoTime();
            Map<String, Long> stages = new LinkedHashMap<>();
            stages.put("cut", r.cutNanos());
            r.stages().asMap().forEach((stage, nanos) -> stages.put(stage.tag(), nanos));
            return new Run(
                    (done - t0) / 1e9, (done - opened) / 1e9, r.frames(), (processCpuNanos() - cpu0) / 1e9, stages);
        }
    }

    /**
     * {@code enhance} at this method's tier as a child process, with this JVM's java and class path
     * and the configuration options this bench was given: wall seconds from start to exit.
     */
    private double enhanceProcess(Method m, Path clip, Path output) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add("enhance");
        Set<String> shared = new java.util.HashSet<>();
        for (OptionSpec o : spec.mixins().get("common").options()) {
            shared.add(o.longestName());
        }
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (shared.contains(o.longestName()) && !o.longestName().equals("--tier")) {
                for (String v : o.originalStringValues()) {
                    command.add(o.longestName());
                    command.add(v);
                }
            }
        }
        m.forced().forEach((k, v) -> {
            command.add("--set");
            command.add(k + "=" + v);
        });
        command.add("--segment-seconds");
        command.add(Double.toString(segmentSeconds));
        command.add(clip.toString());
        command.add(output.toString());
        long t = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - t) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(
                    "enhance as a process exited with " + exit + ": " + String.join(" ", command));
        }
        return seconds;
    }

    private DemoCommand.Summary stream(Method m, Path clip, FfmpegTool.Probe probe, Path output) throws Exception {
        DemoCommand demo = new DemoCommand();
        demo.common = common;
        Map<String, String> forced = new LinkedHashMap<>(m.forced());
        // Every segment at this tier: the latency budget would step down the ladder under load.
        forced.put("sdatc.latency.budget.ms", "0");
        // Nothing scrapes a bench: a free port, so a service or demo on this machine is no conflict.
        forced.put("sdatc.metrics.port", "0");
        if (!forced.containsKey("sdatc.engine.tier")) {
            forced.put("sdatc.engine.tier", "auto");
        }
        demo.forced = forced;
        demo.input = clip;
        demo.output = output;
        demo.width = probe.width();
        demo.height = probe.height();
        demo.segmentSeconds = 1.0;
        demo.crf = 23;
        demo.timeout = streamTimeout;
        return demo.execute(System.err);
    }

    private static Map<String, Double> medianStages(List<Run> runs, int frames) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String stage : runs.get(0).stageNanos().keySet()) {
            out.put(
                    stage,
                    median(runs.stream()
                                    .map(r -> (double) r.stageNanos().getOrDefault(stage, 0L))
                                    .toList())
                            / 1e6
                            / frames);
        }
        out.put("total", median(runs.stream().map(Run::pipelineSeconds).toList()) * 1000 / frames);
        return out;
    }

    private static void runsJson(ArrayNode array, List<Run> runs, int frames) {
        for (Run r : runs) {
            ObjectNode j = array.addObject();
            j.put("seconds", round(r.seconds(), 3));
            j.put("frames_per_second", round(frames / r.seconds(), 3));
            if (!Double.isNaN(r.cpuSeconds())) {
                j.put("cpu_seconds", round(r.cpuSeconds(), 3));
            }
        }
    }

    private static void probeJson(ObjectNode node, FfmpegTool.Probe p) {
        node.put("width", p.width());
        node.put("height", p.height());
        node.put("frames", p.frames());
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
