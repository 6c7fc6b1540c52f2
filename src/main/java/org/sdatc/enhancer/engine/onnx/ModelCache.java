package org.sdatc.enhancer.engine.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Generated model directories under a cache root, made on first use. Safe against concurrent
 * callers (threads or processes): each generates into a private temp directory and moves it in
 * atomically; a loser of the race drops its copy and uses the winner's.
 */
public final class ModelCache {
    /** Writes a complete model directory (manifest and stage files) into an empty directory. */
    public interface Generator {
        void writeInto(Path dir) throws IOException;
    }

    private ModelCache() {}

    /**
     * @param dirName the model's directory name under {@code cacheRoot} (its cache key and version)
     * @param modelName for the error message
     * @param fix what to check when generation fails, for the error message
     */
    public static Path ensure(Path cacheRoot, String dirName, String modelName, String fix, Generator generator) {
        Path dir = cacheRoot.resolve(dirName);
        if (Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
            return dir;
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".gen-");
            try {
                generator.writeInto(tmp);
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                deleteTree(tmp);
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME))) {
                    throw e;
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot generate model " + modelName + " under " + cacheRoot + ": " + fix, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
