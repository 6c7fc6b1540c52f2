package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.it.Probe;

/**
 * {@code bench} as a user runs it, on a tiny generated clip with one repetition: what it reports and
 * the videos it made, never how fast anything was.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsFfmpegsTools() {
        boolean installed;
        try {
            installed = new ProcessBuilder("ffprobe", "-version")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    == 0;
        } catch (java.io.IOException | InterruptedException e) {
            installed = false;
        }
        assumeTrue(installed, "ffmpeg/ffprobe not installed: apt-get install ffmpeg");
    }

    @Test
    void benchReportsFfmpegAndEveryRequestedTierWithOutputsOfTheRightSizeAndLength() throws Exception {
        Path json = dir.resolve("bench.json");
        Path keep = dir.resolve("videos");

        CliRun r = CliRun.of(
                "bench",
                "--tier",
                "dcm,bicubic",
                "--width",
                "64",
                "--height",
                "48",
                "--fps",
                "10",
                "--seconds",
                "1",
                "--repeat",
                "1",
                "--out",
                json.toString(),
                "--keep",
                keep.toString());

        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(10, root.at("/input/frames").asInt());
        assertTrue(root.at("/ffmpeg/frames_per_second").asDouble() > 0, root.toString());
        assertEquals(256, root.at("/ffmpeg/output/width").asInt());
        assertEquals(10, root.at("/ffmpeg/output/frames").asInt());
        assertEquals(2, root.get("methods").size());
        for (int i = 0; i < 2; i++) {
            JsonNode m = root.get("methods").get(i);
            String tier = i == 0 ? "dcm" : "bicubic";
            assertEquals(tier, m.get("tier").asText());
            assertTrue(m.get("frames_per_second").asDouble() > 0, m.toString());
            assertTrue(m.get("ratio_to_ffmpeg").asDouble() > 0, m.toString());
            assertTrue(m.at("/ms_per_frame/encode").asDouble() > 0, "per-stage times: " + m);
            assertEquals(10, m.get("frames").asInt());
            Probe probe = Probe.of(keep.resolve(tier + ".mp4"));
            assertEquals(256, probe.width(), tier);
            assertEquals(192, probe.height(), tier);
            assertEquals(10, probe.frames(), tier + ": every frame of the clip");
        }
        assertTrue(
                r.out().contains("ffmpeg") && r.out().contains("dcm") && r.out().contains("ratio"), r.out());
    }

    @Test
    void streamingAndProcessRunsAddLatencyPercentilesAndFramesPerSecond() throws Exception {
        Path json = dir.resolve("bench.json");

        CliRun r = CliRun.of(
                "bench",
                "--tier",
                "bicubic",
                "--streaming",
                "--process",
                "--width",
                "64",
                "--height",
                "48",
                "--fps",
                "10",
                "--seconds",
                "1",
                "--repeat",
                "1",
                "--out",
                json.toString());

        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode method = new ObjectMapper().readTree(json.toFile()).at("/methods/0");
        assertTrue(method.at("/process/frames_per_second").asDouble() > 0, "enhance as a process: " + method);
        JsonNode s = method.get("streaming");
        assertEquals(10, s.get("frames").asInt(), s.toString());
        assertEquals(0, s.get("dead_letters").asInt());
        assertTrue(s.get("frames_per_second").asDouble() > 0, s.toString());
        assertTrue(s.get("streaming_over_offline").asDouble() > 0, s.toString());
        assertTrue(s.at("/latency_ms/max").asLong() >= s.at("/latency_ms/p50").asLong(), s.toString());
        assertTrue(s.at("/latency_ms/p50").asLong() > 0, s.toString());
        assertTrue(r.out().contains("p95 ms"), r.out());
    }

    @Test
    void anUnknownTierIsOneErrorLineNamingItBeforeAnythingRuns() {
        CliRun r = CliRun.of(
                "bench", "--tier", "dcm,ultra", "--keep", dir.resolve("k").toString());

        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown tier 'ultra'") && r.err().contains("bicubic"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
        assertFalse(Files.exists(dir.resolve("k")), "nothing was generated or measured");
    }

    @Test
    void aMissingFfmpegIsOneErrorLineWithTheFix() {
        CliRun r = CliRun.of(
                "bench",
                "--tier",
                "bicubic",
                "--ffmpeg",
                dir.resolve("no-ffmpeg").toString());

        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no-ffmpeg") && r.err().contains("apt-get install ffmpeg"), r.err());
    }
}
