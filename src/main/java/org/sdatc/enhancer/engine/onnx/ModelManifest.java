package org.sdatc.enhancer.engine.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
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
 * @param encFeatures the names of the encoder feature maps CFW reads, in the order the encoder
 *     outputs them and the decoder takes them: {@code enc_features} in contract 1, {@code
 *     enc_features_0..k-1} (coarsest first) in contract 2; empty without diffusion stages
 * @param hintInput whether the UNet and VAE decoder take the segment's compression hint ({@code
 *     hint}, crf / 51 or qp / 51, negative for unknown)
 * @param recipe how the model is meant to be sampled (contract 2 with diffusion stages; null
 *     otherwise, and the engine then uses trailing spacing from the last training timestep)
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
        Set<ModelStage> trainedStages,
        List<String> encFeatures,
        boolean hintInput,
        Recipe recipe) {

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

    /** How inference timesteps are picked (the formulas of training/sdatc_training/recipe.py). */
    public enum Spacing {
        LEADING,
        TRAILING,
        LINSPACE
    }

    public enum SamplerName {
        DDIM,
        DPMPP_2M
    }

    /**
     * The sampler recipe a contract-2 model records (manifest "recipe"; the noise schedule part is
     * {@link #scheduler}). The engine always samples with its spacing and from its start timestep;
     * steps, sampler and eta are the model's reference setting, and the service's own settings
     * ({@code sdatc.engine.steps}, {@code sampler}, {@code eta}) decide what runs live, because the
     * latency budget decides the step count.
     *
     * @param startTimestep the first timestep, train_timesteps - 1 to start from (noised) pure noise
     */
    public record Recipe(Spacing spacing, int steps, double eta, int startTimestep, SamplerName sampler) {}

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
        encFeatures = List.copyOf(encFeatures);
    }

    /** The encoder feature name of contract 1 (one map). */
    public static final List<String> CONTRACT1_FEATURES = List.of("enc_features");

    /**
     * The fraction of the schedule the start latents are noised to: (start_timestep + 1) /
     * train_timesteps from the recipe, 1 without one.
     */
    public double startStrength() {
        return recipe == null ? 1.0 : (recipe.startTimestep() + 1.0) / scheduler.trainTimesteps();
    }

    /** The timestep spacing to sample with: the recipe's, trailing without one. */
    public Spacing spacing() {
        return recipe == null ? Spacing.TRAILING : recipe.spacing();
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
                    name, version, scale, 0, 1, 1, window, null, 1, 0, dtype, files, contract, trained, List.of(),
                    false, null);
        }
        // Contract 1 keeps the schedule under "scheduler"; contract 2 has it in "recipe" with the sampler.
        String part = contract == 1 ? "scheduler" : "recipe";
        JsonNode sched = r.object(root, part);
        Scheduler scheduler = new Scheduler(
                r.positive(sched, part + ".train_timesteps", "train_timesteps"),
                r.enumValue(sched, part + ".beta_schedule", "beta_schedule", BetaSchedule.class),
                r.unitInterval(sched, part + ".beta_start", "beta_start"),
                r.unitInterval(sched, part + ".beta_end", "beta_end"),
                r.enumValue(sched, part + ".prediction_type", "prediction_type", PredictionType.class));
        Recipe recipe = null;
        List<String> features = CONTRACT1_FEATURES;
        boolean hint = false;
        if (contract == 2) {
            recipe = recipe(r, sched, scheduler);
            features = encoderFeatures(r, root);
            JsonNode h = r.field(root, "hint_input", "hint_input");
            if (!h.isBoolean()) {
                throw r.bad("hint_input", "true or false", h);
            }
            hint = h.asBoolean();
        }
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
                trained,
                features,
                hint,
                recipe);
    }

    private static Recipe recipe(Reader r, JsonNode node, Scheduler scheduler) {
        int start = r.integer(node, "recipe.start_timestep", "start_timestep");
        if (start < 0 || start >= scheduler.trainTimesteps()) {
            throw r.bad("recipe.start_timestep", "in 0.." + (scheduler.trainTimesteps() - 1), start);
        }
        int steps = r.positive(node, "recipe.steps", "steps");
        if (steps > start + 1) {
            throw r.bad("recipe.steps", "at most start_timestep + 1 = " + (start + 1), steps);
        }
        double eta = r.number(node, "recipe.eta", "eta");
        if (!(eta >= 0 && eta <= 1)) {
            throw r.bad("recipe.eta", "a number in [0, 1]", eta);
        }
        String sampler = r.text(node, "recipe.sampler", "sampler");
        SamplerName name = switch (sampler) {
            case "ddim" -> SamplerName.DDIM;
            case "dpmpp-2m" -> SamplerName.DPMPP_2M;
            default -> throw r.bad("recipe.sampler", "\"ddim\" or \"dpmpp-2m\"", "\"" + sampler + "\"");
        };
        return new Recipe(
                r.enumValue(node, "recipe.timestep_spacing", "timestep_spacing", Spacing.class),
                steps,
                eta,
                start,
                name);
    }

    /** "enc_features": [{"name": ..., ...}, ...], one entry per CFW level ("cfw_levels" of them). */
    private static List<String> encoderFeatures(Reader r, JsonNode root) {
        JsonNode list = r.field(root, "enc_features", "enc_features");
        if (!list.isArray() || list.isEmpty()) {
            throw r.bad("enc_features", "a non-empty array of {\"name\": ...} (one per CFW level)", list);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            names.add(r.text(list.get(i), "enc_features[" + i + "].name", "name"));
        }
        if (root.has("cfw_levels") && r.integer(root, "cfw_levels") != names.size()) {
            throw r.bad(
                    "cfw_levels",
                    "the number of \"enc_features\" entries (" + names.size() + ")",
                    root.get("cfw_levels"));
        }
        return names;
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
            return integer(parent, key, key);
        }

        int integer(JsonNode parent, String path, String key) {
            JsonNode v = field(parent, path, key);
            if (!v.isIntegralNumber()) {
                throw bad(path, "an integer", v);
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
