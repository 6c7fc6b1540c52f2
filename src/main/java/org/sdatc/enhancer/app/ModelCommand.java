package org.sdatc.enhancer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sdatc.enhancer.engine.cost.ModelInfo;
import org.sdatc.enhancer.engine.models.BuiltinModels;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.ParityCheck;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.sdatc.WindowParity;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code model}: inspect SDATC models. {@code model info} counts parameters and FLOPs per stage per
 * output frame from the stage graphs and gives the frames/s ceiling on an accelerator, so an
 * operator can plan accelerators per stream before any weights exist.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Inspect SDATC models.",
        subcommands = {ModelCommand.Info.class, ModelCommand.Verify.class})
public final class ModelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Standalone entry until {@code model} is registered in Main: same exit codes as Main. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a {@code model} command line and returns its exit code (2 for a user error). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ModelCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** Which model: a directory (docs/model-contract.md) or a generated reference profile. */
    static final class Source {
        @Option(
                names = "--model-dir",
                paramLabel = "DIR",
                description = "Model directory with manifest.json (weights are not loaded).")
        Path modelDir;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description = "Built-in model, e.g. sdatc-dcm-cpu (the default model).")
        String model;

        @Option(
                names = "--profile",
                paramLabel = "NAME",
                description = "Reference profile: reference-tiny, reference-small or reference-paper.")
        String profile;
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description = "Parameters and FLOPs per stage per output frame, and the frames/s ceiling on an"
                    + " accelerator (FLOPs = 2 x multiply-adds).")
    static final class Info implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Source source;

        @Option(
                names = "--width",
                defaultValue = "480",
                description = "Input (low-resolution) width. Default: ${DEFAULT-VALUE}.")
        int width;

        @Option(names = "--height", defaultValue = "270", description = "Input height. Default: ${DEFAULT-VALUE}.")
        int height;

        @Option(names = "--steps", defaultValue = "4", description = "Sampler steps. Default: ${DEFAULT-VALUE}.")
        int steps;

        @Option(
                names = "--peak-tflops",
                defaultValue = "989",
                description = "Accelerator peak in TFLOP/s. Default: ${DEFAULT-VALUE} (H200 dense BF16).")
        double peakTflops;

        @Option(
                names = "--utilization",
                defaultValue = "0.4",
                description = "Fraction of the peak sustained, in (0, 1]. Default: ${DEFAULT-VALUE}.")
        double utilization;

        @Option(
                names = "--stream-fps",
                defaultValue = "30",
                description = "Frame rate of one stream, for accelerators per stream. Default: ${DEFAULT-VALUE}.")
        double streamFps;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (width <= 0 || height <= 0) {
                throw new UserError("--width and --height must be positive, got " + width + "x" + height);
            }
            if (steps <= 0) {
                throw new UserError("--steps must be positive, got " + steps);
            }
            if (!(utilization > 0 && utilization <= 1)) {
                throw new UserError("--utilization must be in (0, 1], got " + utilization);
            }
            if (!(peakTflops > 0)) {
                throw new UserError("--peak-tflops must be positive, got " + peakTflops);
            }
            ModelInfo info;
            Path dir = null;
            if (source != null && source.model != null) {
                try {
                    dir = BuiltinModels.ensure(source.model, ReferenceModels.defaultCacheRoot());
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage());
                }
            } else if (source != null && source.modelDir != null) {
                if (!Files.isDirectory(source.modelDir)) {
                    throw new UserError("--model-dir " + source.modelDir + " is not a directory");
                }
                dir = source.modelDir;
            }
            if (dir != null) {
                try {
                    info = ModelInfo.of(dir, width, height, steps);
                } catch (IllegalArgumentException e) {
                    throw new UserError("cannot count the cost of " + dir + ": " + e.getMessage());
                }
            } else {
                String profile = source == null || source.profile == null ? "reference-paper" : source.profile;
                try {
                    info = ModelInfo.of(profile, width, height, steps);
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage());
                }
            }
            spec.commandLine().getOut().print(info.render(peakTflops, utilization, streamFps));
            if (dir != null) {
                spec.commandLine().getOut().print(trainedSummary(dir));
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Runs a model directory's parity fixtures (parity/<stage>.json, written by the training"
                    + " side's export) through ONNX Runtime, and its window fixtures (parity/window/*.json) through"
                    + " the engine, and compares with PyTorch's outputs.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--model-dir", required = true, paramLabel = "DIR", description = "Model directory.")
        Path modelDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!ParityCheck.hasFixtures(modelDir)) {
                throw new UserError(modelDir + " has no parity/ folder: export the model with"
                        + " `python3 -m sdatc_training export` (or export-dcm), which writes the fixtures");
            }
            var out = spec.commandLine().getOut();
            boolean ok = true;
            List<ParityCheck.Result> results = new ArrayList<>();
            try (OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(modelDir), ExecutionConfig.cpu(0))) {
                results.addAll(ParityCheck.run(sessions, modelDir));
                if (WindowParity.hasFixtures(modelDir)) {
                    results.addAll(WindowParity.run(sessions, modelDir));
                }
            } catch (ModelContractException e) {
                throw new UserError(e.getMessage());
            }
            for (ParityCheck.Result r : results) {
                ok &= r.passed();
                out.printf(
                        java.util.Locale.ROOT,
                        "%s %s.%s: max abs error %.3g (tolerance %.1g)%n",
                        r.passed() ? "ok  " : "FAIL",
                        r.fixture(),
                        r.output(),
                        r.maxAbsError(),
                        r.tolerance());
            }
            out.flush();
            return ok ? 0 : 1;
        }
    }

    /** Which stages and tiers are trained, and where the model card is: what a user must know first. */
    static String trainedSummary(Path dir) {
        ModelManifest m = ModelManifest.read(dir);
        StringBuilder s = new StringBuilder();
        s.append("contract ").append(m.contract()).append("; trained stages: ");
        s.append(
                m.trainedStages().isEmpty()
                        ? "none (untrained: its output is not an improvement over bicubic)"
                        : m.trainedStages().stream()
                                .map(ModelStage::key)
                                .toList()
                                .toString());
        s.append('\n');
        s.append("tiers: ");
        if (m.hasDiffusion()) {
            s.append("full (")
                    .append(m.diffusionTrained() ? "trained" : "untrained")
                    .append("), ");
        }
        s.append("dcm (")
                .append(m.trained(ModelStage.DCM) ? "trained" : "untrained")
                .append("), bicubic\n");
        Path card = dir.resolve("MODEL_CARD.md");
        if (Files.isRegularFile(card)) {
            s.append("model card: ").append(card).append('\n');
        }
        return s.toString();
    }
}
