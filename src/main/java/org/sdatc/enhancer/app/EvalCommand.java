package org.sdatc.enhancer.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.eval.Brisque;
import org.sdatc.enhancer.eval.Degradation;
import org.sdatc.enhancer.eval.EvalInputException;
import org.sdatc.enhancer.eval.EvalReport;
import org.sdatc.enhancer.eval.Evaluation;
import org.sdatc.enhancer.eval.GroundTruthReader;
import org.sdatc.enhancer.eval.Method;
import org.sdatc.enhancer.eval.report.ConsoleProgress;
import org.sdatc.enhancer.eval.report.HtmlReport;
import org.sdatc.enhancer.eval.report.MetricsJson;
import org.sdatc.enhancer.eval.report.SummaryTable;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentEncoder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eval}: the paper's protocol for any method. Each ground-truth clip is degraded (bicubic x4
 * down, libx264 medium at each CRF, live GOPs, no B-frames), every method runs on the result through
 * the segment pipeline {@code enhance} uses, and the outputs are measured against the ground truth;
 * writes {@code metrics.json} and a self-contained {@code report.html}.
 *
 * <p>A method is a set of configuration overrides on top of {@code --config} and {@code --set}, and
 * its enhancer is built by the same path as the service's ({@link ServiceConfig}, {@link
 * Enhancers}): {@code --enhancer N} is {@code sdatc.enhancer=N}, {@code --model-dir D} is {@code
 * sdatc.model.dir=D}, {@code --tier T} is {@code sdatc.engine.tier=T}. Bicubic always runs, first.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate methods on ground-truth clips with the paper's protocol (x4 bicubic down, libx264 at"
                    + " each CRF), writing DIR/metrics.json and DIR/report.html.",
            "Bicubic always runs; add methods with --enhancer, --model-dir or --tier (each as often as needed)."
        })
public final class EvalCommand implements Callable<Integer> {
    static final Map<String, String> BICUBIC = Map.of("sdatc.enhancer", "bicubic");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--hr",
            required = true,
            paramLabel = "DIR_OR_VIDEO",
            description = "Ground truth: a folder of PNG frames (001.png, 002.png, ...) or a video file. Repeat for"
                    + " more clips.")
    List<Path> truth = new ArrayList<>();

    @Option(
            names = "--crf",
            split = ",",
            paramLabel = "CRF",
            defaultValue = "15,25,35",
            description = "libx264 CRFs of the low-resolution streams (default: ${DEFAULT-VALUE}).")
    List<Integer> crfs = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..*")
    List<MethodOption> methods = new ArrayList<>();

    /** One method to compare with bicubic; the options may be mixed and repeated. */
    static final class MethodOption {
        @Option(
                names = "--enhancer",
                paramLabel = "NAME",
                description = "A method by enhancer name: sdatc or bicubic (sdatc.enhancer=NAME).")
        String enhancer;

        @Option(
                names = "--model-dir",
                paramLabel = "DIR",
                description = "The SDATC engine with exported weights (sdatc.model.dir=DIR).")
        Path modelDir;

        @Option(names = "--tier", paramLabel = "T", description = "The SDATC engine at a tier (sdatc.engine.tier=T).")
        String tier;
    }

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where metrics.json and report.html go.")
    Path out;

    @Option(
            names = "--fps",
            defaultValue = "25",
            paramLabel = "FPS",
            description = "Frame rate of a folder of frames (default: ${DEFAULT-VALUE}); videos keep their own.")
    int fps;

    @Option(
            names = "--frames",
            paramLabel = "N",
            description = "Use only the first N frames of each clip (default: all).")
    Integer maxFrames;

    @Option(
            names = "--gop-seconds",
            defaultValue = "1.0",
            paramLabel = "S",
            description = "Keyframe interval of the low-resolution stream, one segment per GOP (default:"
                    + " ${DEFAULT-VALUE} s, as a live encoder).")
    double gopSeconds;

    @Option(
            names = "--brisque-models",
            paramLabel = "DIR",
            description = "Folder with brisque_model_live.yml and brisque_range_live.yml (default: Debian's"
                    + " opencv-data, /usr/share/opencv4/quality).")
    Path brisqueModels = Brisque.DEBIAN_MODELS;

    @Option(
            names = "--keep-frames",
            description = "Also write every frame as PNG under DIR/frames/CLIP/ (truth, crfN/lr, crfN/METHOD), for"
                    + " checking the figures with other tools.")
    boolean keepFrames;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with sdatc.* settings, applied to every method.")
    Path configFile;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A setting for every method, e.g. --set sdatc.engine.steps=8.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        validateOptions();
        SegmentEncoder.requireEncoder(new EncoderSettings("libx264", Degradation.LIVE.preset(), 23));
        List<Method> built = new ArrayList<>();
        try {
            for (Map.Entry<String, Map<String, String>> m : methodOverrides().entrySet()) {
                built.add(build(m.getKey(), m.getValue()));
            }
            GroundTruthReader reader =
                    new GroundTruthReader(new Rational(fps, 1), maxFrames == null ? Integer.MAX_VALUE : maxFrames);
            Evaluation.Plan plan = new Evaluation.Plan(
                    commandLine(),
                    truth,
                    reader,
                    crfs,
                    built,
                    new Degradation(Degradation.LIVE.preset(), gopSeconds),
                    brisqueModels,
                    keepFrames ? out.resolve("frames") : null);
            EvalReport report = Evaluation.run(plan, new ConsoleProgress(System.err));
            Files.createDirectories(out);
            MetricsJson.write(report, out.resolve("metrics.json"));
            HtmlReport.write(report, out.resolve("report.html"));
            System.out.print(SummaryTable.render(report));
            System.out.printf(
                    "%d runs in %.1f s; BRISQUE %s%nwrote %s and %s%n",
                    report.runs().size(),
                    report.seconds(),
                    report.brisque(),
                    out.resolve("metrics.json").toAbsolutePath(),
                    out.resolve("report.html").toAbsolutePath());
            return 0;
        } catch (EvalInputException e) {
            throw new UserError(e.getMessage());
        } catch (IOException e) {
            throw new UserError("cannot write to --out " + out + ": " + e.getMessage());
        } finally {
            built.forEach(m -> m.enhancer().close());
        }
    }

    private void validateOptions() {
        if (crfs.isEmpty()) {
            throw new UserError("--crf needs at least one value, e.g. --crf 15,25,35");
        }
        for (int crf : crfs) {
            if (crf < 0 || crf > 51) {
                throw new UserError("--crf " + crf + " is outside libx264's 0-51");
            }
        }
        if (fps < 1 || fps > 1000) {
            throw new UserError("--fps must be 1-1000, got " + fps);
        }
        if (!(gopSeconds > 0)) {
            throw new UserError("--gop-seconds must be positive, got " + gopSeconds);
        }
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new UserError("config file " + configFile + " does not exist");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out " + out + " is a file; give a folder (it is created if missing)");
        }
    }

    /** Method name to its overrides, bicubic first; a method repeated on the command line runs once. */
    Map<String, Map<String, String>> methodOverrides() {
        Map<String, Map<String, String>> byName = new LinkedHashMap<>();
        byName.put("bicubic", BICUBIC);
        for (MethodOption m : methods) {
            String name;
            Map<String, String> overrides;
            if (m.enhancer != null) {
                name = m.enhancer;
                overrides = Map.of("sdatc.enhancer", m.enhancer);
            } else if (m.modelDir != null) {
                name = "model-dir "
                        + Optional.ofNullable(m.modelDir.getFileName())
                                .map(Path::toString)
                                .orElse(m.modelDir.toString());
                overrides = Map.of("sdatc.model.dir", m.modelDir.toString());
            } else {
                name = "tier " + m.tier;
                overrides = Map.of("sdatc.engine.tier", m.tier);
            }
            if (byName.containsValue(overrides)) {
                continue;
            }
            String unique = name;
            for (int k = 2; byName.containsKey(unique); k++) {
                unique = name + " #" + k;
            }
            byName.put(unique, overrides);
        }
        return byName;
    }

    private Method build(String name, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(overrides);
        ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), all);
        Enhancer enhancer = Enhancers.create(config);
        return new Method(
                name,
                overrides,
                enhancer,
                config.stream().windowLength(),
                config.stream().windowContext());
    }

    /**
     * The command line: the whole process's when this JVM was started with these arguments (the jar
     * or main class included), else {@code sdatc-enhancer} and the arguments, shell-quoted.
     */
    private String commandLine() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        List<String> full = new ArrayList<>(args);
        if (full.isEmpty() || !full.get(0).equals("eval")) {
            full.add(0, "eval");
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String[]> processArgs = info.arguments();
        if (info.command().isPresent() && processArgs.isPresent()) {
            List<String> p = List.of(processArgs.get());
            if (p.size() >= full.size()
                    && p.subList(p.size() - full.size(), p.size()).equals(full)) {
                List<String> exact = new ArrayList<>();
                exact.add(info.command().get());
                exact.addAll(p);
                return quote(exact);
            }
        }
        List<String> shown = new ArrayList<>();
        shown.add("sdatc-enhancer");
        shown.addAll(full);
        return quote(shown);
    }

    static String quote(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) {
                b.append(' ');
            }
            if (!w.isEmpty() && w.matches("[A-Za-z0-9_@%+=:,./-]+")) {
                b.append(w);
            } else {
                b.append('\'').append(w.replace("'", "'\\''")).append('\'');
            }
        }
        return b.toString();
    }
}
