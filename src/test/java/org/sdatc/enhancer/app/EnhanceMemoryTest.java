package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.it.Probe;
import org.sdatc.enhancer.media.DecompressionBomb;

/**
 * Frames stream from decoder through the windows to the encoder (issue 11, defect 3): {@code
 * enhance} runs a 600-frame segment in a JVM whose heap could not hold its frames, as {@code run}
 * does through the same SegmentEnhancer and EncodingSink.
 */
class EnhanceMemoryTest {
    @TempDir
    Path dir;

    @Test
    void enhanceStreamsASixHundredFrameSegmentThroughAHeapTooSmallToHoldIt() throws Exception {
        // 600 black frames of 256x144 in one GOP: 66 MB as RGB in, 1.06 GB at x4 out; heap 128 MB.
        Path bomb = dir.resolve("bomb.ts");
        Files.write(bomb, DecompressionBomb.mpegts(256, 144, 600));
        Path output = dir.resolve("out.mp4");
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.sdatc.enhancer.app.Main",
                        "enhance",
                        "--enhancer",
                        "bicubic",
                        "--segment-seconds",
                        "30",
                        bomb.toString(),
                        output.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("enhance.log").toFile())
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "enhance finished");
        String log = Files.readString(dir.resolve("enhance.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("enhanced 600 frames") && log.contains(", 1 segments,"), log);
        Probe probe = Probe.of(output);
        assertEquals(1024, probe.width());
        assertEquals(600, probe.frames());
    }
}
