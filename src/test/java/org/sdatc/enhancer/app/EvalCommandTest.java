package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.eval.EvalFixtures;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.SyntheticClip;

/**
 * {@code eval} as a user runs it: two tiny clips (a PNG folder and an MP4), two CRFs, bicubic and the
 * SDATC engine (reference-tiny, one step to keep it quick).
 */
class EvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void evalMeasuresEveryClipCrfAndMethodAndWritesMetricsJsonAndASelfContainedReport() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("shapes"), SyntheticClip.generate(128, 96, 8, 11));
        Path video = dir.resolve("pan.mp4");
        try (SegmentJoiner joiner = new SegmentJoiner(video)) {
            for (var s : SegmentCutter.cut(
                    SyntheticClip.generate(128, 96, 10, 12),
                    new Rational(30, 1),
                    1.0,
                    new EncoderSettings("libx264", "veryfast", 8))) {
                joiner.append(s.payload());
            }
        }
        Path out = dir.resolve("report");

        CliRun run = CliRun.of(
                "eval",
                "--hr",
                folder.toString(),
                "--hr",
                video.toString(),
                "--crf",
                "20,38",
                "--enhancer",
                "sdatc",
                "--enhancer",
                "bicubic",
                "--set",
                "sdatc.model.cache=" + TestModels.CACHE.toAbsolutePath(),
                "--set",
                "sdatc.engine.steps=1",
                // The untrained wiring model's full tier: steps must reach the method.
                "--set",
                "sdatc.model.builtin=reference-tiny",
                "--set",
                "sdatc.engine.tier=full",
                "--keep-frames",
                "--out",
                out.toString());

        assertEquals(0, run.code(), run.err());
        // The terminal: a progress bar that reaches 100 %, then one summary row per clip x CRF x method.
        assertTrue(run.err().contains("] 100%"), run.err());
        assertTrue(run.out().contains("Y-PSNR") && run.out().contains("ms/frame"), run.out());
        assertEquals(
                8,
                run.out()
                        .lines()
                        .filter(l -> l.matches("^(shapes|pan) +(20|38) +(bicubic|sdatc) .*"))
                        .count(),
                run.out());
        assertTrue(run.out().contains("report.html"), run.out());

        JsonNode json = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(
                json.get("command").asText().contains("--hr " + folder),
                json.get("command").asText());
        assertEquals("bicubic", json.get("methods").get(0).get("name").asText(), "bicubic first, and only once");
        assertEquals(2, json.get("methods").size());
        assertTrue(json.get("methods").get(1).get("model").asText().startsWith("sdatc/reference-tiny"));
        assertEquals(1, json.get("methods").get(1).get("steps").asInt(), "--set reaches every method");
        assertEquals(0, json.get("protocol").get("border_crop").asInt());
        boolean brisque = json.get("protocol").get("brisque").asText().startsWith("OpenCV");
        JsonNode results = json.get("results");
        assertEquals(8, results.size(), "2 clips x 2 CRFs x 2 methods");
        Map<String, Double> psnr = new HashMap<>();
        for (JsonNode r : results) {
            String id = r.get("clip").asText() + "/" + r.get("crf").asInt() + "/"
                    + r.get("method").asText();
            int frames = r.get("clip").asText().equals("shapes") ? 8 : 10;
            assertEquals(frames, r.get("frames").asInt(), id);
            double p = r.get("psnr_y").asDouble();
            assertTrue(p > 12 && p < 60, id + " Y-PSNR " + p);
            psnr.put(id, p);
            assertTrue(r.get("ssim").asDouble() > 0 && r.get("ssim").asDouble() <= 1, id);
            assertTrue(r.get("warp_error").asDouble() > 0, id);
            assertTrue(r.get("tof").asDouble() >= 0, id);
            assertEquals(brisque, r.get("brisque").isNumber(), id + " brisque: " + r.get("brisque"));
            assertTrue(r.get("ms_per_frame").get("total").asDouble() > 0, id);
            assertTrue(r.get("ms_per_frame").has("decode"), id);
            assertTrue(r.get("lr_kbps").asDouble() > 0, id);
            JsonNode perFrame = r.get("per_frame");
            assertEquals(frames, perFrame.get("psnr_y").size(), id);
            assertEquals(frames, perFrame.get("ssim").size(), id);
            assertEquals(frames - 1, perFrame.get("warp_error").size(), id);
            assertEquals(frames - 1, perFrame.get("tof").size(), id);
        }
        for (String clip : new String[] {"shapes", "pan"}) {
            assertTrue(
                    psnr.get(clip + "/20/bicubic") > psnr.get(clip + "/38/bicubic"),
                    "less compression, better bicubic: " + psnr);
        }

        // --keep-frames: the very frames measured, for other tools.
        for (String f :
                new String[] {"truth/008.png", "crf20/lr/008.png", "crf38/bicubic/008.png", "crf38/sdatc/001.png"}) {
            assertTrue(Files.isRegularFile(out.resolve("frames/shapes").resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("frames/shapes/crf20/bicubic/009.png")));

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(4, count(html, "<h3>"), "a section per clip and CRF");
        assertTrue(count(html, "<table>") >= 5, "the methods table and one per clip and CRF");
        assertTrue(html.contains("low resolution (nearest)") && html.contains("ground truth"), "crop captions");
        // Per clip and CRF: 4 crops (LR, bicubic, sdatc, ground truth) and the PSNR plot; per clip, quality vs cost.
        assertEquals(4 * 5 + 2, count(html, "src=\"data:image/png;base64,"));
        assertFalse(html.contains("http://") || html.contains("https://"), "opens offline");
        assertFalse(html.contains("<script") || html.contains("<link"), "nothing to fetch");
        assertTrue(html.contains("sdatc/reference-tiny") && html.contains("sdatc.enhancer=bicubic"), "model ids");
        assertTrue(html.contains("eval --hr " + folder), "the command line");
        assertTrue(html.contains("no border crop"));
    }

    @Test
    void aMissingGroundTruthFolderIsOneErrorLineNamingItBeforeAnyWork() {
        Path missing = dir.resolve("vid4/walk");

        CliRun run = CliRun.of(
                "eval", "--hr", missing.toString(), "--out", dir.resolve("out").toString());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("error: ground truth " + missing + " does not exist"), run.err());
        assertTrue(run.err().contains("folder of PNG frames"), run.err());
        assertFalse(Files.exists(dir.resolve("out")), "no report for a run that did not happen");
    }

    @Test
    void aBadCrfIsAnErrorNamingTheOption() {
        CliRun run = CliRun.of(
                "eval",
                "--hr",
                dir.toString(),
                "--crf",
                "25,60",
                "--out",
                dir.resolve("o").toString());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("--crf 60 is outside libx264's 0-51"), run.err());
    }

    @Test
    void eachMethodOptionIsAConfigOverrideInCommandLineOrderAfterBicubicAndRepeatsRunOnce() {
        EvalCommand eval = new EvalCommand();
        new picocli.CommandLine(eval)
                .parseArgs(
                        "--hr",
                        "clip",
                        "--out",
                        "o",
                        "--tier",
                        "dcm",
                        "--enhancer",
                        "bicubic",
                        "--model-dir",
                        "/models/run7",
                        "--enhancer",
                        "sdatc",
                        "--tier",
                        "dcm",
                        "--tier",
                        "full");

        Map<String, Map<String, String>> methods = eval.methodOverrides();

        assertEquals(
                java.util.List.of("bicubic", "tier dcm", "model-dir run7", "sdatc", "tier full"),
                java.util.List.copyOf(methods.keySet()));
        assertEquals(Map.of("sdatc.enhancer", "bicubic"), methods.get("bicubic"));
        assertEquals(Map.of("sdatc.engine.tier", "dcm"), methods.get("tier dcm"));
        assertEquals(Map.of("sdatc.model.dir", "/models/run7"), methods.get("model-dir run7"));
        assertEquals(Map.of("sdatc.enhancer", "sdatc"), methods.get("sdatc"));
    }

    @Test
    void withoutBrisqueModelFilesBrisqueIsNullAndTheReportSaysWhyAndHowToInstallThem() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("clip"), SyntheticClip.generate(96, 64, 5, 21));
        Path empty = Files.createDirectories(dir.resolve("no-models"));
        Path out = dir.resolve("out");

        CliRun run = CliRun.of(
                "eval",
                "--hr",
                folder.toString(),
                "--crf",
                "30",
                "--brisque-models",
                empty.toString(),
                "--out",
                out.toString());

        assertEquals(0, run.code(), run.err());
        JsonNode json = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        JsonNode result = json.get("results").get(0);
        assertTrue(result.get("brisque").isNull(), result.toString());
        assertTrue(result.get("per_frame").get("brisque").get(0).isNull());
        assertTrue(result.get("psnr_y").isNumber(), "the other metrics still run");
        String why = json.get("protocol").get("brisque").asText();
        assertTrue(why.contains("not computed") && why.contains("apt-get install -y opencv-data"), why);
        assertTrue(why.contains(empty.resolve("brisque_model_live.yml").toString()), why);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("not computed") && html.contains("opencv-data"), "the report says why");
        assertTrue(run.out().contains("n/a"), run.out());
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
