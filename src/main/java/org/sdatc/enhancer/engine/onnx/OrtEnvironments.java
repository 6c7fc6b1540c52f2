package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Obtains ONNX Runtime's process-wide {@link OrtEnvironment} without crashing the JVM.
 *
 * <p>Why: creating the environment (native {@code OrtEnvironment.createHandle}) reads
 * {@code /proc/self/cmdline} and matches it with a recursive regular expression whose stack depth
 * grows with the length of the command line (~12,000 native frames for an 8.8 KB {@code -cp}).
 * On a normal Java thread (1 MB stack) a long class path overflows the stack and the process dies
 * with SIGSEGV and no hs_err file. Measured with ORT 1.29.0: 8.8 KB command line crashes on 1 and
 * 2 MB stacks and passes on 8 MB; a 100 KB command line crashes on 8 MB and passes on 256 MB.
 * Surefire and {@code java -jar} (class path in the manifest) have short command lines, which is
 * why only hand-built {@code java -cp ...} runs crashed. Session creation and inference are not
 * affected once the environment exists.
 *
 * <p>So the environment is created once on a dedicated thread whose stack is sized from the
 * command line's length (reserved, not committed, memory); later calls return ORT's singleton.
 */
public final class OrtEnvironments {
    private static final long BASE_STACK = 64L << 20;
    private static final long STACK_PER_CMDLINE_BYTE = 4096;

    private OrtEnvironments() {}

    /** ORT's environment, created on a large-stack thread the first time. */
    public static OrtEnvironment get() {
        AtomicReference<OrtEnvironment> env = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(
                null,
                () -> {
                    try {
                        env.set(OrtEnvironment.getEnvironment());
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                },
                "ort-environment",
                stackSize());
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the ONNX Runtime environment", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "cannot create the ONNX Runtime environment: "
                            + failure.get().getMessage(),
                    failure.get());
        }
        return env.get();
    }

    /** Stack for the environment thread: 64 MB plus 4 KB per byte of the command line. */
    static long stackSize() {
        return BASE_STACK + STACK_PER_CMDLINE_BYTE * commandLineBytes();
    }

    private static long commandLineBytes() {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (!Files.isReadable(cmdline)) {
            return 0; // not Linux: ORT does not read it there
        }
        try {
            // procfs reports size 0: read it.
            return Files.readAllBytes(cmdline).length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cmdline, e);
        }
    }
}
