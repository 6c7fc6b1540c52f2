package org.sdatc.enhancer.engine.sdatc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.flow.FlowField;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.flow.FlowPair;
import org.sdatc.enhancer.engine.flow.FlowSource;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.ParityCheck;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

/**
 * Whole-window parity: runs the fixtures in {@code parity/window/*.json} (written by the training
 * side's export from its PyTorch reference loop, training/sdatc_training) through the engine, and
 * compares the final latents and the decoded frames before the colour fix. A fixture fixes
 * everything the loop and the engine must agree on: the frames (uint8 RGB), the window id (whose
 * seed draws the start noise), the CRF hint, steps, sampler and eta (the recipe's spacing, start
 * timestep and schedule come from manifest.json), the CFW weight, and for guidance the flows of
 * each adjacent pair at frame resolution and the Eq. 14 settings. The PyTorch loop differentiates
 * Eq. 13 with autograd; the engine with its hand-written adjoint.
 */
public final class WindowParity {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the fixtures lie inside a model directory. */
    public static final String FOLDER = "parity/window";

    private WindowParity() {}

    /** Whether {@code dir} has window fixtures. */
    public static boolean hasFixtures(Path dir) {
        return Files.isDirectory(dir.resolve(FOLDER));
    }

    /** Runs every window fixture of {@code dir} with the sessions of that directory. */
    public static List<ParityCheck.Result> run(OnnxSessions sessions, Path dir) {
        if (!sessions.manifest().hasDiffusion()) {
            throw new ModelContractException(dir + " has window fixtures (" + FOLDER + ") but no diffusion stages");
        }
        List<Path> specs;
        try (Stream<Path> s = Files.list(dir.resolve(FOLDER))) {
            specs = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.resolve(FOLDER), e);
        }
        List<ParityCheck.Result> results = new ArrayList<>();
        for (Path spec : specs) {
            results.addAll(runOne(sessions, spec));
        }
        return results;
    }

    /** One fixture, parsed. */
    record Fixture(
            String name,
            WindowInput input,
            SdatcOptions options,
            FlowSource flows,
            Tensor latents,
            Tensor image,
            double tolerance) {}

    static List<ParityCheck.Result> runOne(OnnxSessions sessions, Path specFile) {
        Fixture f = read(specFile);
        try (SdatcEnhancer engine = new SdatcEnhancer(sessions, false, f.options(), f.flows())) {
            SdatcEnhancer.Run run = engine.run(f.input(), true);
            String name = "window/" + f.name();
            Tensor window = stack(run.window());
            return List.of(
                    ParityCheck.Result.compare(
                            name, "latents", f.latents(), run.latents().get(0), f.tolerance()),
                    ParityCheck.Result.compare(name, "image", f.image(), window, f.tolerance()));
        }
    }

    static Fixture read(Path specFile) {
        JsonNode spec;
        try {
            spec = JSON.readTree(specFile.toFile());
        } catch (IOException e) {
            throw new ModelContractException(specFile + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!"window".equals(spec.path("kind").asText())) {
            throw bad(specFile, "kind", "\"window\"", spec.path("kind"));
        }
        Path folder = specFile.getParent();
        String name = specFile.getFileName().toString().replaceFirst("\\.json$", "");
        WindowId id = new WindowId(
                spec.path("stream").asText(),
                spec.path("sequence").asLong(),
                spec.path("window").asInt());
        if (!spec.path("seed").canConvertToLong() || spec.path("seed").asLong() != id.seed()) {
            throw bad(specFile, "seed", "WindowId" + id + ".seed() = " + id.seed(), spec.path("seed"));
        }
        JsonNode framesEntry = spec.path("frames");
        int[] fs = ParityCheck.shape(framesEntry);
        if (fs.length != 4 || fs[3] != 3) {
            throw bad(specFile, "frames.shape", "[T, H, W, 3]", framesEntry.path("shape"));
        }
        byte[] rgb = ParityCheck.readBytes(folder, specFile, framesEntry);
        int plane = fs[1] * fs[2] * 3;
        List<Image> frames = new ArrayList<>(fs[0]);
        for (int i = 0; i < fs[0]; i++) {
            byte[] one = new byte[plane];
            System.arraycopy(rgb, i * plane, one, 0, plane);
            frames.add(new Image(fs[2], fs[1], one));
        }
        JsonNode crf = spec.path("crf");
        CompressionHints hints = crf.isNull() || crf.isMissingNode()
                ? CompressionHints.NONE
                : new CompressionHints(OptionalInt.of(crf.asInt()), OptionalInt.empty(), OptionalLong.empty());
        WindowInput input = new WindowInput(id, frames, 0, frames.size(), null, hints);

        String samplerName = spec.path("sampler").asText();
        SdatcOptions.SamplerKind sampler = switch (samplerName) {
            case "ddim" -> SdatcOptions.SamplerKind.DDIM;
            case "dpmpp-2m" -> SdatcOptions.SamplerKind.DPMPP_2M;
            default -> throw bad(specFile, "sampler", "\"ddim\" or \"dpmpp-2m\"", spec.path("sampler"));
        };
        JsonNode g = spec.path("guidance");
        FlowSource flows = null;
        FlowGuidance.Config guidance =
                new FlowGuidance.Config(0, FlowGuidance.StepSize.VARIANCE, FlowGuidance.Target.PREDICTED_X0);
        SdatcOptions.FlowSourceKind flowKind = SdatcOptions.FlowSourceKind.NONE;
        if (!g.isNull() && !g.isMissingNode()) {
            guidance = new FlowGuidance.Config(
                    g.path("scale").asDouble(),
                    FlowGuidance.StepSize.valueOf(g.path("step_size").asText().toUpperCase(Locale.ROOT)),
                    FlowGuidance.Target.valueOf(g.path("target").asText().toUpperCase(Locale.ROOT)));
            flows = givenFlows(folder, specFile, g.path("flows"), frames.size(), fs[1], fs[2]);
            // The kind only names a source; the fixture's flows replace it.
            flowKind = SdatcOptions.FlowSourceKind.DIS;
        }
        SdatcOptions d = SdatcOptions.defaults();
        SdatcOptions options = new SdatcOptions(
                spec.path("steps").asInt(),
                sampler,
                spec.path("eta").asDouble(),
                d.strength(),
                flowKind,
                d.disPreset(),
                guidance,
                spec.path("cfw_weight").asDouble(),
                SdatcOptions.ColorFixKind.NONE,
                d.tileSize(),
                d.tileOverlap(),
                d.carryMaxBytes(),
                d.execution(),
                d.modelCache());
        JsonNode outputs = spec.path("outputs");
        return new Fixture(
                name,
                input,
                options,
                flows,
                ParityCheck.readFloats(folder, specFile, outputs.path("latents")),
                ParityCheck.readFloats(folder, specFile, outputs.path("image")),
                spec.path("tolerance").asDouble(1e-4));
    }

    /** The fixture's flows [T-1, 2 (forward, backward), 2 (x, y), H, W] as a source for one window of its frames. */
    private static FlowSource givenFlows(Path folder, Path specFile, JsonNode entry, int frames, int h, int w) {
        Tensor all = ParityCheck.readFloats(folder, specFile, entry);
        if (all.rank() != 5
                || all.dim(0) != frames - 1
                || all.dim(1) != 2
                || all.dim(2) != 2
                || all.dim(3) != h
                || all.dim(4) != w) {
            throw bad(specFile, "guidance.flows.shape", "[" + (frames - 1) + ", 2, 2, " + h + ", " + w + "]", all);
        }
        // [T-1, 2, 2, H, W] seen as [(T-1) * 2, 2, H, W]: forward then backward field of each pair.
        Tensor fields = all.reshape(2 * (frames - 1), 2, h, w);
        List<FlowPair> pairs = new ArrayList<>(frames - 1);
        for (int i = 0; i < frames - 1; i++) {
            pairs.add(new FlowPair(
                    new FlowField(Tensors.frame(fields, 2 * i)), new FlowField(Tensors.frame(fields, 2 * i + 1))));
        }
        List<FlowPair> fixed = List.copyOf(pairs);
        return window -> {
            if (window.size() != frames) {
                throw new IllegalStateException(specFile + ": the fixture's flows are for " + frames
                        + " frames, the engine asked for " + window.size());
            }
            return fixed;
        };
    }

    private static Tensor stack(List<Tensor> frames) {
        Tensor first = frames.get(0);
        int size = first.size();
        float[] d = new float[size * frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            System.arraycopy(frames.get(i).data(), 0, d, i * size, size);
        }
        return new Tensor(d, frames.size(), first.dim(0), first.dim(1), first.dim(2));
    }

    private static ModelContractException bad(Path file, String key, String expected, Object actual) {
        return new ModelContractException(file + ": \"" + key + "\" must be " + expected + ", got " + actual);
    }
}
