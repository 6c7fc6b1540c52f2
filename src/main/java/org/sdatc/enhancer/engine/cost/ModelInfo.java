package org.sdatc.enhancer.engine.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.reference.PaperModels;
import org.sdatc.enhancer.engine.reference.PaperProfile;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.ReferenceProfile;

/**
 * What one output frame of a model costs at a given input size and step count, counted from the
 * stage graphs ({@link GraphCost}), and the frames/s ceiling that implies on an accelerator of a
 * given peak: per frame, the DCM and the VAE encoder run once, the UNet once per step (no
 * classifier-free guidance), and the VAE decoder once per window of T frames.
 *
 * @param model the model's name
 * @param lrWidth input width; @param lrHeight input height
 * @param paddedWidth HR width after the engine pads to the model's image multiple (same for height)
 * @param latentWidth latent width the UNet runs at (same for height)
 * @param steps sampler steps (UNet calls per frame)
 * @param window T, the frames of one VAE decoder call
 * @param rows per stage: calls per frame, parameters, and FLOPs of one call
 */
public record ModelInfo(
        String model,
        int lrWidth,
        int lrHeight,
        int paddedWidth,
        int paddedHeight,
        int latentWidth,
        int latentHeight,
        int steps,
        int window,
        List<Row> rows) {

    /** H200 SXM dense BF16 tensor-core peak (no sparsity), TFLOP/s. */
    public static final double H200_BF16_TFLOPS = 989;

    public static final double DEFAULT_UTILIZATION = 0.4;

    /**
     * One stage.
     *
     * @param callsPerFrame 1 for DCM and encoder, steps for the UNet, 1/T for the decoder
     * @param perCall the cost of one call (the decoder's: of one window of T frames)
     */
    public record Row(ModelStage stage, double callsPerFrame, StageCost perCall) {
        public double flopsPerFrame() {
            return perCall.totalFlops() * callsPerFrame;
        }

        public double linearPerFrame() {
            return perCall.linearFlops() * callsPerFrame;
        }

        public double attentionPerFrame() {
            return perCall.attentionFlops() * callsPerFrame;
        }

        public double otherPerFrame() {
            return perCall.otherFlops() * callsPerFrame;
        }
    }

    public ModelInfo {
        rows = List.copyOf(rows);
    }

    /** Cost of a named reference profile: reference-tiny, reference-small or reference-paper (no weights drawn). */
    public static ModelInfo of(String profile, int lrWidth, int lrHeight, int steps) {
        return switch (profile) {
            case "reference-tiny" -> {
                ReferenceProfile p = ReferenceProfile.tiny();
                yield count(
                        p.name(),
                        ReferenceModels.graphs(p),
                        p.latentDownsample(),
                        p.latentMultiple(),
                        5,
                        ModelManifest.CONTRACT1_FEATURES,
                        false,
                        lrWidth,
                        lrHeight,
                        steps);
            }
            case "reference-small", "reference-paper" -> {
                PaperProfile p = PaperModels.profile(profile);
                yield count(
                        p.name(),
                        PaperModels.graphOnly(p),
                        p.latentDownsample(),
                        p.latentMultiple(),
                        PaperModels.WINDOW,
                        ModelManifest.CONTRACT1_FEATURES,
                        false,
                        lrWidth,
                        lrHeight,
                        steps);
            }
            default ->
                throw new IllegalArgumentException("unknown profile '" + profile
                        + "': use reference-tiny, reference-small or reference-paper (or give a model directory)");
        };
    }

    /**
     * Cost of a model directory (docs/model-contract.md). Reads manifest.json and the graphs'
     * structure only: external weight data is never loaded.
     */
    public static ModelInfo of(Path modelDir, int lrWidth, int lrHeight, int steps) {
        ModelManifest m = ModelManifest.read(modelDir);
        Map<ModelStage, ModelProto> graphs = new EnumMap<>(ModelStage.class);
        List<ModelStage> stages = m.hasDiffusion()
                ? List.of(ModelStage.DCM, ModelStage.VAE_ENCODER, ModelStage.UNET, ModelStage.VAE_DECODER)
                : List.of(ModelStage.DCM);
        for (ModelStage s : stages) {
            Path file = modelDir.resolve(m.stageFile(s).orElseThrow());
            try (InputStream in = Files.newInputStream(file)) {
                graphs.put(s, ModelProto.parseFrom(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read stage graph " + file + ": " + e.getMessage(), e);
            }
        }
        return count(
                m.name(),
                graphs,
                m.latentDownsample(),
                m.latentMultiple(),
                m.windowLength(),
                m.encFeatures(),
                m.hintInput(),
                lrWidth,
                lrHeight,
                steps);
    }

    private static ModelInfo count(
            String name,
            Map<ModelStage, ModelProto> graphs,
            int f,
            int latentMultiple,
            int window,
            List<String> features,
            boolean hint,
            int lrWidth,
            int lrHeight,
            int steps) {
        if (lrWidth <= 0 || lrHeight <= 0 || steps <= 0) {
            throw new IllegalArgumentException(
                    "width, height and steps must be positive, got " + lrWidth + "x" + lrHeight + ", " + steps);
        }
        int m = f * latentMultiple;
        int pw = roundUp(4 * lrWidth, m);
        int ph = roundUp(4 * lrHeight, m);
        int lw = pw / f;
        int lh = ph / f;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(
                ModelStage.DCM,
                1,
                GraphCost.of(graphs.get(ModelStage.DCM), Map.of("lq", new long[] {1, 3, lrHeight, lrWidth}))
                        .cost()));
        if (!graphs.containsKey(ModelStage.VAE_ENCODER)) {
            // A DCM-only model (the dcm tier): no latents, no steps, no decoder window.
            return new ModelInfo(name, lrWidth, lrHeight, lrWidth * 4, lrHeight * 4, 0, 0, 0, 1, rows);
        }
        GraphCost.Result enc =
                GraphCost.of(graphs.get(ModelStage.VAE_ENCODER), Map.of("image", new long[] {1, 3, ph, pw}));
        rows.add(new Row(ModelStage.VAE_ENCODER, 1, enc.cost()));
        long[] latent = enc.outputShapes().get("latent");
        long c = latent[1];
        Map<String, long[]> unetIn = new HashMap<>(Map.of(
                "sample", new long[] {1, c, lh, lw},
                "timestep", new long[] {1},
                "condition", new long[] {1, c, lh, lw}));
        Map<String, long[]> decoderIn =
                new HashMap<>(Map.of("latent", new long[] {window, c, lh, lw}, "cfw_weight", new long[] {1}));
        for (String feature : features) {
            long[] fe = enc.outputShapes().get(feature).clone();
            fe[0] = window;
            decoderIn.put(feature, fe);
        }
        if (hint) {
            unetIn.put("hint", new long[] {1, 1});
            decoderIn.put("hint", new long[] {window, 1});
        }
        rows.add(new Row(
                ModelStage.UNET,
                steps,
                GraphCost.of(graphs.get(ModelStage.UNET), unetIn).cost()));
        rows.add(new Row(
                ModelStage.VAE_DECODER,
                1.0 / window,
                GraphCost.of(graphs.get(ModelStage.VAE_DECODER), decoderIn).cost()));
        return new ModelInfo(name, lrWidth, lrHeight, pw, ph, lw, lh, steps, window, rows);
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    public Row row(ModelStage stage) {
        return rows.stream().filter(r -> r.stage() == stage).findFirst().orElseThrow();
    }

    public double flopsPerFrame() {
        return rows.stream().mapToDouble(Row::flopsPerFrame).sum();
    }

    public long parameters() {
        return rows.stream().mapToLong(r -> r.perCall().parameters()).sum();
    }

    /** Frames/s one accelerator of {@code peakTflops} sustains at {@code utilization} of its peak. */
    public double framesPerSecond(double peakTflops, double utilization) {
        return peakTflops * 1e12 * utilization / flopsPerFrame();
    }

    /** The table as text: per stage GFLOPs per frame, parameters, and the frames/s ceiling. */
    public String render(double peakTflops, double utilization, double streamFps) {
        StringBuilder s = new StringBuilder();
        if (steps == 0) {
            s.append(String.format(
                    Locale.ROOT,
                    "model %s: %dx%d -> %dx%d, DCM only (the dcm tier: no diffusion steps)%n",
                    model,
                    lrWidth,
                    lrHeight,
                    4 * lrWidth,
                    4 * lrHeight));
        } else {
            s.append(String.format(
                    Locale.ROOT,
                    "model %s: %dx%d -> %dx%d (padded %dx%d, latent %dx%d), %d steps, decoder window T=%d%n",
                    model,
                    lrWidth,
                    lrHeight,
                    4 * lrWidth,
                    4 * lrHeight,
                    paddedWidth,
                    paddedHeight,
                    latentWidth,
                    latentHeight,
                    steps,
                    window));
        }
        s.append("FLOPs = 2 x multiply-adds; GFLOP per output frame\n\n");
        s.append("| stage | calls/frame | params (M) | conv+linear | attention | other | total |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f | %.1f | %.1f | %.1f | %.1f |%n",
                    r.stage().key(),
                    r.callsPerFrame() >= 1 ? String.valueOf((int) r.callsPerFrame()) : "1/" + window,
                    r.perCall().parameters() / 1e6,
                    r.linearPerFrame() / 1e9,
                    r.attentionPerFrame() / 1e9,
                    r.otherPerFrame() / 1e9,
                    r.flopsPerFrame() / 1e9));
        }
        s.append(String.format(
                Locale.ROOT,
                "| total | | %.2f | %.1f | %.1f | %.1f | %.1f |%n%n",
                parameters() / 1e6,
                rows.stream().mapToDouble(Row::linearPerFrame).sum() / 1e9,
                rows.stream().mapToDouble(Row::attentionPerFrame).sum() / 1e9,
                rows.stream().mapToDouble(Row::otherPerFrame).sum() / 1e9,
                flopsPerFrame() / 1e9));
        double fps = framesPerSecond(peakTflops, utilization);
        s.append(String.format(
                Locale.ROOT,
                "ceiling: %.4g TFLOP/s peak x %.0f%% utilisation -> %.3f frames/s per accelerator;"
                        + " %.1f accelerators per %.0f fps stream%n%n",
                peakTflops,
                utilization * 100,
                fps,
                streamFps / fps,
                streamFps));
        s.append("parameters by component (M):");
        Map<String, Long> all = new TreeMap<>();
        for (Row r : rows) {
            r.perCall().parametersByComponent().forEach((k, v) -> all.merge(k, v, Long::sum));
        }
        all.forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s %.2f;", k, v / 1e6)));
        s.setLength(s.length() - 1);
        return s.append('\n').toString();
    }
}
