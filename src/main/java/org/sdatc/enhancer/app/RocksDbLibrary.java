package org.sdatc.enhancer.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.NativeLibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library (15 MB) from {@code <state.dir>/native/} under a fixed name, replaced
 * at each start. Left to itself, RocksDB copies it to a new {@code librocksdbjni*.so} in the
 * system temp dir at every start and deletes it only on a clean exit, so each kill -9 left one
 * behind (issue 11: 23 kills, 321 MB). RocksDB's own switch for this is the environment variable
 * {@code ROCKSDB_SHAREDLIB_DIR}, which a process cannot set for itself; its loader takes the
 * directory as an argument instead and, once it has loaded the library, never extracts it again.
 */
final class RocksDbLibrary {
    private static final Logger log = LoggerFactory.getLogger(RocksDbLibrary.class);

    private RocksDbLibrary() {}

    /** Before any state store opens. Does nothing when this JVM has loaded RocksDB already. */
    static void loadUnder(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().resolve("native");
        try {
            Files.createDirectories(dir);
            NativeLibraryLoader.getInstance().loadLibrary(dir.toString());
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            log.warn(
                    "could not load RocksDB's native library from {} ({}); RocksDB extracts it to the temp dir"
                            + " instead",
                    dir,
                    e.toString());
        }
    }
}
