package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A validated SDATC model directory: manifest.json plus one ONNX graph per stage
 * (docs/model-contract.md). {@link #load(Path)} checks everything the engine relies on, so a bad
 * model fails at start-up with a message naming the file and tensor instead of an ONNX Runtime
 * error in the middle of a stream.
 */
public record ModelDirectory(Path dir, ModelManifest manifest) {

    /**
     * Reads the manifest and checks every stage graph's named inputs and outputs (element type, rank,
     * fixed and symbolic axes). Each graph is opened once on the CPU without graph optimisation to
     * read its signature.
     *
     * @throws ModelContractException naming the file, the key or tensor, expected and actual
     */
    public static ModelDirectory load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelContractException("model directory " + dir + " does not exist or is not a directory");
        }
        ModelManifest manifest = ModelManifest.read(dir);
        ModelDirectory model = new ModelDirectory(dir, manifest);
        OrtEnvironment env = OrtEnvironments.get();
        for (ModelStage stage : ModelStage.values()) {
            Optional<Path> file = model.stagePath(stage);
            if (file.isEmpty()) {
                continue;
            }
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                options.setIntraOpNumThreads(1);
                try (OrtSession session = openSession(env, file.get(), options)) {
                    ModelContract.check(stage, session, file.get(), manifest);
                }
            } catch (OrtException e) {
                throw new ModelContractException(
                        "cannot set up a session for " + file.get() + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    /** The graph file of {@code stage}; empty for an optional stage the manifest does not list. */
    public Optional<Path> stagePath(ModelStage stage) {
        Optional<Path> file = manifest.stageFile(stage).map(dir::resolve);
        file.ifPresent(f -> {
            if (!Files.isRegularFile(f)) {
                throw new ModelContractException("model " + manifest.name() + ": stage " + stage.key() + " file " + f
                        + " (named in " + dir.resolve(ModelManifest.FILE_NAME) + ") does not exist");
            }
        });
        return file;
    }

    /** Opens {@code file}; a file ONNX Runtime cannot parse becomes a contract error naming it. */
    static OrtSession openSession(OrtEnvironment env, Path file, OrtSession.SessionOptions options) {
        try {
            return env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new ModelContractException(file + " is not a loadable ONNX model: " + e.getMessage(), e);
        }
    }
}
