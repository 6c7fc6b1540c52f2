package org.sdatc.enhancer.engine.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * manifest.json of a model directory (docs/model-contract.md): what the engine must know about a
 * model beyond its graphs.
 *
 * @param latentChannels C of the latent tensors
 * @param latentDownsample f: latent H/W = image H/W / f
 * @param latentMultiple latent H/W must be multiples of this (the engine pads images to f * this)
 * @param windowLength frames per window T the VAE decoder's STAM attends over
 * @param latentScalingFactor the engine multiplies encoder latents by it and divides before decoding
 * @param cfwWeight default w of Eq. 12
 * @param stageFiles file name of each stage's graph, relative to the directory
 * @param contract the contract version the directory was written for (1 or 2)
 * @param trainedStages the stages whose weights were trained (contract 2 only; a contract-1
 *     directory says nothing, so none counts as trained). A quality tier is trained when all its
 *     stages are; an untrained tier is never a default.
 */
public record ModelManifest(
        String name,
        String version,
        int scale,
        int latentChannels,
        int latentDownsample,
        int latentMultiple,
        int windowLength,
        Scheduler scheduler,
        double latentScalingFactor,
        double cfwWeight,
        Dtype dtype,
        Map<ModelStage, String> stageFiles,
        int contract,
        Set<ModelStage> trainedStages) {

    public static final String FILE_NAME = "manifest.json";

    /** The stages of the diffusion path (the `full` tier), besides the DCM. */
    public static final Set<ModelStage> DIFFUSION_STAGES =
            Collections.unmodifiableSet(EnumSet.of(ModelStage.VAE_ENCODER, ModelStage.UNET, ModelStage.VAE_DECODER));

    public enum Dtype {
        FP32,
        FP16
    }

    public enum BetaSchedule {
        LINEAR,
        SCALED_LINEAR
    }

    public enum PredictionType {
        EPSILON,
        V_PREDICTION
    }

    /** The training noise schedule (Eq. 1-3) the UNet was trained with. */
    public record Scheduler(
            int trainTimesteps,
            BetaSchedule betaSchedule,
            double betaStart,
            double betaEnd,
            PredictionType predictionType) {

        /** abar_t = prod_{i<=t} (1 - beta_i) for t = 0 .. trainTimesteps - 1 (Eq. 2). */
        public double[] alphasCumprod() {
            double[] abar = new double[trainTimesteps];
            double prod = 1;
            for (int t = 0; t < trainTimesteps; t++) {
                double frac = trainTimesteps == 1 ? 0 : (double) t / (trainTimesteps - 1);
                double beta = switch (betaSchedule) {
                    case LINEAR -> betaStart + frac * (betaEnd - betaStart);
                    case SCALED_LINEAR -> {
                        double s = Math.sqrt(betaStart) + frac * (Math.sqrt(betaEnd) - Math.sqrt(betaStart));
                        yield s * s;
                    }
                };
                prod *= 1 - beta;
                abar[t] = prod;
            }
            return abar;
        }
    }

    public ModelManifest {
        stageFiles = Collections.unmodifiableMap(new EnumMap<>(stageFiles));
        trainedStages = trainedStages.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(trainedStages));
    }

    /** Whether the directory holds the diffusion stages (vae_encoder, unet, vae_decoder). */
    public boolean hasDiffusion() {
        return stageFiles.keySet().containsAll(DIFFUSION_STAGES);
    }

    public boolean trained(ModelStage stage) {
        return trainedStages.contains(stage);
    }

    /** The full tier is trained when the DCM and every diffusion stage are. */
    public boolean diffusionTrained() {
        return hasDiffusion() && trained(ModelStage.DCM) && trainedStages.containsAll(DIFFUSION_STAGES);
    }

    public Optional<String> stageFile(ModelStage stage) {
        return Optional.ofNullable(stageFiles.get(stage));
    }

    /** Images must have H and W divisible by this, so latents meet {@link #latentMultiple}. */
    public int imageMultiple() {
        return latentDownsample * latentMultiple;
    }

    // ---- JSON ----

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and validates {@code dir/manifest.json}; errors name the file and the key. */
    public static ModelManifest read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelContractException("model directory " + dir + " has no " + FILE_NAME
                    + ": point the model path at a directory produced for sdatc-enhancer (see docs/model-contract.md)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelContractException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelContractException(file + " must hold a JSON object");
        }
        Reader r = new Reader(file);
        int contract = root.has("contract") ? r.integer(root, "contract") : 1;
        if (contract != 1 && contract != 2) {
            throw r.bad("contract", "1 or 2 (docs/model-contract.md)", contract);
        }
        int scale = r.integer(root, "scale");
        if (scale != 4) {
            throw r.bad("scale", "4 (SDATC is a x4 model)", scale);
        }
        Map<ModelStage, String> files = stageFiles(r, root, file);
        boolean diffusion = files.keySet().stream().anyMatch(DIFFUSION_STAGES::contains);
        if (!files.containsKey(ModelStage.DCM)) {
            throw new ModelContractException(
                    file + ": \"stages.dcm\" is missing; every model needs its DCM graph (Eq. 5)");
        }
        if (contract == 1 || diffusion) {
            for (ModelStage s : DIFFUSION_STAGES) {
                if (!files.containsKey(s)) {
                    throw new ModelContractException(file + ": \"stages." + s.key() + "\" is missing; it names the "
                            + s.key() + " graph file"
                            + (contract == 2 ? " (a contract-2 model has either all diffusion stages or none)" : ""));
                }
            }
        }
        if (contract == 2 && diffusion) {
            throw new ModelContractException(file
                    + ": contract 2 diffusion stages (multi-scale enc_features_i, hint input, \"recipe\") are not"
                    + " served by this runtime yet; export the dcm stage alone, or the diffusion stages in contract 1"
                    + " (docs/model-contract.md)");
        }
        Set<ModelStage> trained = EnumSet.noneOf(ModelStage.class);
        if (contract == 2) {
            JsonNode list = r.field(root, "trained_stages", "trained_stages");
            if (!list.isArray()) {
                throw r.bad("trained_stages", "an array of stage keys", list);
            }
            for (JsonNode k : list) {
                ModelStage stage = ModelStage.fromKey(k.asText());
                if (stage == null || !files.containsKey(stage)) {
                    throw r.bad("trained_stages", "keys of stages listed under \"stages\"", k);
                }
                trained.add(stage);
            }
        }
        String name = r.text(root, "name", "name");
        String version = r.text(root, "version", "version");
        Dtype dtype = r.enumValue(root, "dtype", "dtype", Dtype.class);
        int window = r.positive(root, "window_length", "window_length");
        if (!diffusion) {
            return new ModelManifest(
                    name, version, scale, 0, 1, 1, window, null, 1, 0, dtype, files, contract, trained);
        }
        JsonNode sched = r.object(root, "scheduler");
        Scheduler scheduler = new Scheduler(
                r.positive(sched, "scheduler.train_timesteps", "train_timesteps"),
                r.enumValue(sched, "scheduler.beta_schedule", "beta_schedule", BetaSchedule.class),
                r.unitInterval(sched, "scheduler.beta_start", "beta_start"),
                r.unitInterval(sched, "scheduler.beta_end", "beta_end"),
                r.enumValue(sched, "scheduler.prediction_type", "prediction_type", PredictionType.class));
        double cfw = r.number(root, "cfw_weight", "cfw_weight");
        if (cfw < 0 || cfw > 1) {
            throw r.bad("cfw_weight", "a number in [0, 1]", cfw);
        }
        return new ModelManifest(
                name,
                version,
                scale,
                r.positive(root, "latent_channels", "latent_channels"),
                r.positive(root, "latent_downsample", "latent_downsample"),
                r.positive(root, "latent_multiple", "latent_multiple"),
                window,
                scheduler,
                r.positiveNumber(root, "latent_scaling_factor"),
                cfw,
                dtype,
                files,
                contract,
                trained);
    }

    private static Map<ModelStage, String> stageFiles(Reader r, JsonNode root, Path file) {
        Map<ModelStage, String> files = new EnumMap<>(ModelStage.class);
        JsonNode stages = r.object(root, "stages");
        for (Iterator<String> it = stages.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            ModelStage stage = ModelStage.fromKey(key);
            if (stage == null) {
                throw new ModelContractException(file + ": unknown stage \"stages." + key + "\"; known stages are "
                        + java.util.Arrays.stream(ModelStage.values())
                                .map(ModelStage::key)
                                .toList());
            }
            files.put(stage, r.text(stages, "stages." + key, key));
        }
        return files;
    }

    /** Writes this manifest as {@code dir/manifest.json}. */
    public void write(Path dir) throws IOException {
        if (contract != 1) {
            throw new IllegalStateException("only contract-1 manifests are written from Java; contract 2 comes from"
                    + " training/ (python3 -m sdatc_training export)");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name).put("version", version).put("scale", scale);
        root.put("latent_channels", latentChannels).put("latent_downsample", latentDownsample);
        root.put("latent_multiple", latentMultiple).put("window_length", windowLength);
        ObjectNode s = root.putObject("scheduler");
        s.put("train_timesteps", scheduler.trainTimesteps())
                .put("beta_schedule", scheduler.betaSchedule().name().toLowerCase())
                .put("beta_start", scheduler.betaStart())
                .put("beta_end", scheduler.betaEnd())
                .put("prediction_type", scheduler.predictionType().name().toLowerCase());
        root.put("latent_scaling_factor", latentScalingFactor).put("cfw_weight", cfwWeight);
        root.put("dtype", dtype.name().toLowerCase());
        ObjectNode st = root.putObject("stages");
        stageFiles.forEach((k, v) -> st.put(k.key(), v));
        Files.writeString(
                dir.resolve(FILE_NAME), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private record Reader(Path file) {
        ModelContractException bad(String key, String expected, Object actual) {
            return new ModelContractException(file + ": \"" + key + "\" must be " + expected + ", got " + actual);
        }

        JsonNode field(JsonNode parent, String path, String key) {
            JsonNode v = parent.get(key);
            if (v == null || v.isNull()) {
                throw new ModelContractException(file + ": required key \"" + path + "\" is missing");
            }
            return v;
        }

        JsonNode object(JsonNode parent, String key) {
            JsonNode v = field(parent, key, key);
            if (!v.isObject()) {
                throw bad(key, "an object", v);
            }
            return v;
        }

        String text(JsonNode parent, String path, String key) {
            JsonNode v = field(parent, path, key);
            if (!v.isTextual() || v.asText().isBlank()) {
                throw bad(path, "a non-empty string", v);
            }
            return v.asText();
        }

        int integer(JsonNode parent, String key) {
            JsonNode v = field(parent, key, key);
            if (!v.isIntegralNumber()) {
                throw bad(key, "an integer", v);
            }
            return v.asInt();
        }

        int positive(JsonNode parent, String path, String key) {
            JsonNode v = field(parent, path, key);
            if (!v.isIntegralNumber() || v.asInt() <= 0) {
                throw bad(path, "a positive integer", v);
            }
            return v.asInt();
        }

        double number(JsonNode parent, String path, String key) {
            JsonNode v = field(parent, path, key);
            if (!v.isNumber()) {
                throw bad(path, "a number", v);
            }
            return v.asDouble();
        }

        double positiveNumber(JsonNode parent, String key) {
            double d = number(parent, key, key);
            if (!(d > 0)) {
                throw bad(key, "a positive number", d);
            }
            return d;
        }

        double unitInterval(JsonNode parent, String path, String key) {
            double d = number(parent, path, key);
            if (!(d > 0 && d < 1)) {
                throw bad(path, "a number in (0, 1)", d);
            }
            return d;
        }

        <E extends Enum<E>> E enumValue(JsonNode parent, String path, String key, Class<E> type) {
            String s = text(parent, path, key);
            try {
                return Enum.valueOf(type, s.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw bad(
                        path,
                        "one of "
                                + java.util.Arrays.stream(type.getEnumConstants())
                                        .map(c -> c.name().toLowerCase())
                                        .toList(),
                        "\"" + s + "\"");
            }
        }
    }
}
