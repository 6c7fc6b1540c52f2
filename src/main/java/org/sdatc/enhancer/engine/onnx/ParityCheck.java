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

    /**
     * One output of one fixture: the largest |ORT - PyTorch| and the tolerance the export set.
     *
     * @param fixture the stage key for a stage fixture, {@code window/<name>} for a whole window
     *     through the engine ({@code engine.sdatc.WindowParity})
     */
    public record Result(String fixture, String output, double maxAbsError, double tolerance) {
        public boolean passed() {
            return maxAbsError <= tolerance;
        }

        /** Compares two tensors of one shape; a shape mismatch is a contract error naming the fixture. */
        public static Result compare(String fixture, String output, Tensor expected, Tensor got, double tolerance) {
            if (got == null || !got.sameShape(expected)) {
                throw new ModelContractException("parity fixture " + fixture + ": output \"" + output + "\" is "
                        + (got == null ? "missing" : got) + ", the fixture expects " + expected);
            }
            double max = 0;
            for (int i = 0; i < got.size(); i++) {
                max = Math.max(max, Math.abs(got.data()[i] - expected.data()[i]));
            }
            return new Result(fixture, output, max, tolerance);
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

    private static List<Result> run(Path dir, java.util.function.Function<ModelStage, StageSession> sessions) {
        List<Result> results = new ArrayList<>();
        // parity/window/ holds whole-window fixtures, which need the engine: WindowParity runs them.
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
            results.add(Result.compare(stage.key(), e.getKey(), expected, actual.get(e.getKey()), tolerance));
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

    public static int[] shape(JsonNode entry) {
        int[] shape = new int[entry.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = entry.path("shape").get(i).asInt();
        }
        return shape;
    }

    /** A float32 tensor {"file", "shape"} of a fixture in {@code folder}. */
    public static Tensor readFloats(Path folder, Path specFile, JsonNode entry) {
        int[] shape = shape(entry);
        ByteBuffer b = read(folder, specFile, entry, 4, shape);
        float[] data = new float[b.remaining() / 4];
        b.asFloatBuffer().get(data);
        return new Tensor(data, shape);
    }

    /** A uint8 array {"file", "shape"} of a fixture in {@code folder}. */
    public static byte[] readBytes(Path folder, Path specFile, JsonNode entry) {
        int[] shape = shape(entry);
        ByteBuffer b = read(folder, specFile, entry, 1, shape);
        byte[] data = new byte[b.remaining()];
        b.get(data);
        return data;
    }

    private static long[] readLongs(Path folder, Path specFile, JsonNode entry) {
        int[] shape = shape(entry);
        ByteBuffer b = read(folder, specFile, entry, 8, shape);
        long[] data = new long[b.remaining() / 8];
        b.asLongBuffer().get(data);
        return data;
    }
}
