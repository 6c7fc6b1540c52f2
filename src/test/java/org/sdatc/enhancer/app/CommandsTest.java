package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/**
 * The README's commands as a user runs them (through {@link Main#run}), with their outputs probed
 * by Debian's ffprobe, an independent tool.
 */
class CommandsTest {
    @TempDir
    Path dir;

    @Test
    void demoRunsBrokerProducerEnhancerAndConsumerAndWritesAPlayableFourTimesLargerFile() throws Exception {
        Path output = dir.resolve("demo.mp4");
        String out = runCapturingStdout(
                "demo",
                "--enhancer",
                "bicubic",
                "--seconds",
                "2",
                "--width",
                "64",
                "--height",
                "48",
                "--segment-seconds",
                "0.5",
                "--no-pace",
                "--work-dir",
                dir.resolve("work").toString(),
                "--output",
                output.toString(),
                "--side-by-side",
                dir.resolve("compare.mp4").toString());

        assertTrue(out.contains("demo summary"), out);
        assertTrue(out.contains("4 enhanced, 0 dead-lettered"), out);
        assertTrue(out.contains("latency e2e:"), out);
        assertTrue(out.contains("tiers:           bicubic 4 (segments per tier)"), out);
        assertTrue(out.contains("budget misses:   "), out);
        org.sdatc.enhancer.it.Probe compare = org.sdatc.enhancer.it.Probe.of(dir.resolve("compare.mp4"));
        assertEquals(512, compare.width(), "bicubic and enhanced side by side");
        assertEquals(192, compare.height());
        assertEquals(60, compare.frames());
        org.sdatc.enhancer.it.Probe probe = org.sdatc.enhancer.it.Probe.of(output);
        assertEquals(256, probe.width());
        assertEquals(192, probe.height());
        assertEquals(60, probe.frames(), "every frame of the 2 s, 30 fps clip is in the output");
        try (var left = Files.list(dir.resolve("work"))) {
            assertEquals(0, left.count(), "the demo removes its broker and state directories");
        }
    }

    @Test
    void enhanceTurnsAFileIntoAFourTimesLargerFileWithEveryFrame() throws Exception {
        Path input = dir.resolve("in.mp4");
        List<Image> clip = SyntheticClip.generate(48, 32, 25, 4);
        try (SegmentJoiner joiner = new SegmentJoiner(input)) {
            for (var s :
                    SegmentCutter.cut(clip, new Rational(25, 1), 1.0, new EncoderSettings("libx264", "veryfast", 23))) {
                joiner.append(s.payload());
            }
        }
        Path output = dir.resolve("out.mp4");

        String out = runCapturingStdout("enhance", "--enhancer", "bicubic", input.toString(), output.toString());

        assertTrue(out.contains("enhanced 25 frames"), out);
        org.sdatc.enhancer.it.Probe probe = org.sdatc.enhancer.it.Probe.of(output);
        assertEquals(192, probe.width());
        assertEquals(128, probe.height());
        assertEquals(25, probe.frames());
    }

    @Test
    void enhanceDeinterlacesAnInterlacedFileAndKeepsEveryFrame() throws Exception {
        // Issue 11's reproduction clip: 160x92, 25 fps, 1 s, x264 with +ildct+ilme, one GOP.
        Path input = dir.resolve("i.ts");
        Files.write(input, org.sdatc.enhancer.media.InterlacedClips.mpegts(160, 92, 25));
        Path output = dir.resolve("i.mp4");

        String out = runCapturingStdout("enhance", "--enhancer", "bicubic", input.toString(), output.toString());

        assertTrue(out.contains("enhanced 25 frames"), out);
        org.sdatc.enhancer.it.Probe probe = org.sdatc.enhancer.it.Probe.of(output);
        assertEquals(640, probe.width());
        assertEquals(368, probe.height());
        assertEquals(25, probe.frames());
    }

    @Test
    void enhanceRefusesAnInterlacedFileInOneLineWhenToldToReject() throws Exception {
        Path input = dir.resolve("i.ts");
        Files.write(input, org.sdatc.enhancer.media.InterlacedClips.mpegts(160, 92, 25));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(
                    "enhance",
                    "--enhancer",
                    "bicubic",
                    "--set",
                    "sdatc.input.interlaced=reject",
                    input.toString(),
                    dir.resolve("x.mp4").toString());
        } finally {
            System.setErr(saved);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, text);
        assertTrue(text.contains("error: cannot enhance " + input) && text.contains("is interlaced"), text);
        assertTrue(!text.contains("\tat "), "no stack trace:\n" + text);
    }

    @Test
    void produceToATopicThatDoesNotExistFailsAtOnceInOneLine() throws Exception {
        try (org.sdatc.enhancer.it.KafkaCluster kafka = org.sdatc.enhancer.it.KafkaCluster.start()) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream saved = System.err;
            int code;
            long start = System.nanoTime();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                code = Main.run(
                        "produce",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--set",
                        "sdatc.topic.input=no-such-topic",
                        "--seconds",
                        "1",
                        "--width",
                        "64",
                        "--height",
                        "48",
                        "--no-pace");
            } finally {
                System.setErr(saved);
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, text);
            assertTrue(
                    text.contains("error: topic 'no-such-topic' does not exist on " + kafka.bootstrapServers()), text);
            assertTrue(!text.contains("\tat "), "no stack trace:\n" + text);
            assertTrue(seconds < 20, "failed after " + seconds + " s, not after a minute's metadata wait");
        }
    }

    @Test
    void aMissingInputOrAnUnknownSettingIsOneClearErrorLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int missing;
        int unknown;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            missing = Main.run(
                    "enhance",
                    dir.resolve("nope.mp4").toString(),
                    dir.resolve("x.mp4").toString());
            unknown = Main.run("enhance", "--set", "sdatc.windw.length=5", "a.mp4", "b.mp4");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, missing);
        assertEquals(2, unknown);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("nope.mp4") && text.contains("does not exist"), text);
        assertTrue(text.contains("unknown setting 'sdatc.windw.length'"), text);
    }

    private static String runCapturingStdout(String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(args);
        } finally {
            System.setOut(saved);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        return out;
    }
}
