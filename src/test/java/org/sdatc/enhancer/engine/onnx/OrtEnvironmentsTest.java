package org.sdatc.enhancer.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.reference.TestModels;

/**
 * ONNX Runtime 1.29 parses the process command line recursively while creating its environment;
 * a long command line (a hand-built {@code -cp}) used to overflow the calling thread's stack and
 * kill the JVM with SIGSEGV. This runs a fresh JVM with a 100 KB command line that opens the
 * reference-tiny sessions.
 */
class OrtEnvironmentsTest {

    /** Entry point of the child JVM: opens every session of the model directory in args[0]. */
    public static void main(String[] args) {
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(Path.of(args[0])), ExecutionConfig.cpu(1))) {
            System.out.println("opened " + s.provider());
        }
    }

    @Test
    void shouldOpenSessionsInAJvmWithAVeryLongCommandLine() throws IOException, InterruptedException {
        Path model = TestModels.tiny().toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-Dpadding=" + "x".repeat(100_000),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OrtEnvironmentsTest.class.getName(),
                        model.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), "child JVM exit code (139 = SIGSEGV); output:\n" + out);
        assertTrue(out.contains("opened CPU"), out);
    }
}
