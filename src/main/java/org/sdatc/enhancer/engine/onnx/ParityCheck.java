package org.sdatc.enhancer.engine.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Runs a model directory's parity fixtures ({@code parity/<stage>.json}, written by the training
 * side's export: fixed inputs and the PyTorch module's outputs) through the same ONNX Runtime
 * sessions the engine uses, and reports the largest absolute difference per output. This is how an
 * export is shown to be the trained model and not an approximation of it.
 */
public final class ParityCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One output of one stage: the largest |ORT - PyTorch| and the tolerance the export set. */
    public record Result(ModelStage stage, String output, double maxAbsError, double tolerance) {
        public boolean passed() {
            return maxAbsError <= tolerance;
        }
    }

    private ParityCheck() {}

    /** Whether {@code dir} has parity fixtures. */
    public static boolean hasFixtures(Path dir) {
        return Files.isDirectory(dir.resolve("parity"));
    }

    /** Runs every fixture in {@code dir/parity} against {@code sessions} (of the same directory). */
    public static List<Result> run(OnnxSessions sessions, Path dir) {
        return run(dir, sessions::stage);
    }

    /**
     * Runs every fixture of a directory the runtime may not serve yet (a contract-2 model with
     * diffusion stages): each stage graph named in manifest.json is opened on the CPU with the
     * engine's optimisation level, without the contract checks.
     */
    public static List<Result> runStandalone(Path dir) {
        JsonNode stages;
        try {
            stages =
                    JSON.readTree(dir.resolve(ModelManifest.FILE_NAME).toFile()).path("stages");
        } catch (IOException e) {
            throw new ModelContractException(
                    "cannot read " + dir.resolve(ModelManifest.FILE_NAME) + ": " + e.getMessage(), e);
        }
        Map<ModelStage, StageSession> open = new java.util.EnumMap<>(ModelStage.class);
        try {
            return run(dir, stage -> open.computeIfAbsent(stage, s -> openStage(dir, s, stages)));
        } finally {
            open.values().forEach(StageSession::close);
        }
    }

    private static StageSession openStage(Path dir, ModelStage stage, JsonNode stages) {
        if (!stages.has(stage.key())) {
            throw new ModelContractException(dir.resolve(ModelManifest.FILE_NAME) + " lists no \"stages." + stage.key()
                    + "\" for its parity fixture");
        }
        Path file = dir.resolve(stages.get(stage.key()).asText());
        ai.onnxruntime.OrtEnvironment env = OrtEnvironments.get();
        try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
            o.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return new StageSession(stage, file, env, ModelDirectory.openSession(env, file, o));
        } catch (ai.onnxruntime.OrtException e) {
            throw new ModelContractException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Result> run(Path dir, java.util.function.Function<ModelStage, StageSession> sessions) {
        List<Result> results = new ArrayList<>();
        List<Path> specs;
        try (Stream<Path> s = Files.list(dir.resolve("parity"))) {
            specs = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.resolve("parity"), e);
        }
        for (Path spec : specs) {
            results.addAll(runOne(sessions, spec));
        }
        return results;
    }

    private static List<Result> runOne(java.util.function.Function<ModelStage, StageSession> sessions, Path specFile) {
        JsonNode spec;
        try {
            spec = JSON.readTree(specFile.toFile());
        } catch (IOException e) {
            throw new ModelContractException(specFile + " is not valid JSON: " + e.getMessage(), e);
        }
        ModelStage stage = ModelStage.fromKey(spec.path("stage").asText());
        if (stage == null) {
            throw new ModelContractException(specFile + ": \"stage\" names no known stage: " + spec.path("stage"));
        }
        Path folder = specFile.getParent();
        StageSession.Inputs inputs = StageSession.inputs();
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.path("inputs").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().path("dtype").asText().equals("int64")) {
                inputs.putInt64(e.getKey(), readLongs(folder, specFile, e.getValue()));
            } else {
                inputs.put(e.getKey(), readFloats(folder, specFile, e.getValue()));
            }
        }
        double tolerance = spec.path("tolerance").asDouble(1e-4);
        Map<String, Tensor> actual = sessions.apply(stage).run(inputs);
        List<Result> results = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.path("outputs").fields(); it.hasNext(); ) {
            var e = it.next();
            Tensor expected = readFloats(folder, specFile, e.getValue());
            Tensor got = actual.get(e.getKey());
            if (got == null || !got.sameShape(expected)) {
                throw new ModelContractException(specFile + ": output \"" + e.getKey() + "\" of stage " + stage.key()
                        + " is " + (got == null ? "missing" : got) + ", the fixture expects " + expected);
            }
            double max = 0;
            for (int i = 0; i < got.size(); i++) {
                max = Math.max(max, Math.abs(got.data()[i] - expected.data()[i]));
            }
            results.add(new Result(stage, e.getKey(), max, tolerance));
        }
        return results;
    }

    private static ByteBuffer read(Path folder, Path specFile, JsonNode entry, int elementBytes, int[] shape) {
        Path file = folder.resolve(entry.path("file").asText());
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() != Tensor.sizeOf(shape) * elementBytes) {
                throw new ModelContractException(file + " holds " + b.remaining() + " bytes, " + specFile
                        + " says shape " + java.util.Arrays.toString(shape));
            }
            return b;
        } catch (IOException e) {
            throw new ModelContractException("cannot read parity fixture " + file + " (named in " + specFile + ")", e);
        }
    }

    private static int[] shape(JsonNode entry) {
        int[] shape = new int[entry.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = entry.path("shape").get(i).asInt();
        }
        return shape;
    }

    private static Tensor readFloats(Path folder, Path specFile, JsonNode entry) {
        int[] shape = shape(entry);
        ByteBuffer b = read(folder, specFile, entry, 4, shape);
        float[] data = new float[b.remaining() / 4];
        b.asFloatBuffer().get(data);
        return new Tensor(data, shape);
    }

    private static long[] readLongs(Path folder, Path specFile, JsonNode entry) {
        int[] shape = shape(entry);
        ByteBuffer b = read(folder, specFile, entry, 8, shape);
        long[] data = new long[b.remaining() / 8];
        b.asLongBuffer().get(data);
        return data;
    }
}
