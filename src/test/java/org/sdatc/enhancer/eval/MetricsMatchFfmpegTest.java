package org.sdatc.enhancer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/**
 * eval's Y-PSNR and SSIM of bicubic, checked against FFmpeg's own {@code psnr} and {@code ssim}
 * filters (Debian's ffmpeg binary, an independent implementation) on the same frames: the eval
 * protocol's degraded clip, enhanced by bicubic through the segment pipeline, against its ground
 * truth. FFmpeg converts the RGB PNGs to YUV itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsMatchFfmpegTest {
    /** The bound for Y-PSNR (measured: under 0.001 dB per frame). */
    static final double PSNR_TOLERANCE_DB = 0.05;

    /**
     * SSIM: the same windows and constants as FFmpeg; what is left is FFmpeg's float arithmetic and
     * its own RGB to Y rounding (a few samples differ by one level). Measured: under 0.0001 per frame.
     */
    static final double SSIM_TOLERANCE = 0.0005;

    @TempDir
    Path dir;

    private final List<Image> truth = SyntheticClip.generate(192, 128, 10, 17);
    private final List<Image> outputs = new ArrayList<>();
    private final List<Double> psnr = new ArrayList<>();
    private final List<Double> ssim = new ArrayList<>();

    @BeforeAll
    void enhanceTheDegradedClipWithBicubic() {
        GroundTruth gt = new GroundTruth("synthetic", dir, truth, new Rational(25, 1));
        DegradedClip lowRes = Degradation.LIVE.apply(gt, 32);
        Method bicubic = new Method("bicubic", Map.of("sdatc.enhancer", "bicubic"), new BicubicEnhancer(4), 5, 2);
        PipelineRun.run(bicubic, lowRes, "ffmpeg-check", (i, lr, out) -> {
            outputs.add(out);
            psnr.add(YPsnr.of(Luma.of(out), Luma.of(truth.get(i))));
            ssim.add(Ssim.of(Luma.of(out), Luma.of(truth.get(i))));
        });
    }

    @Test
    void bicubicYPsnrAgreesWithFfmpegsPsnrFilterWithinFiveHundredthsOfADecibel() throws Exception {
        List<Double> ffmpeg = ffmpegPerFrame("psnr", Pattern.compile("mse_y:([0-9.]+)"));
        assertEquals(outputs.size(), ffmpeg.size(), "one FFmpeg line per frame");
        for (int i = 0; i < ffmpeg.size(); i++) {
            double theirs = 10 * Math.log10(255.0 * 255.0 / ffmpeg.get(i));
            assertEquals(theirs, psnr.get(i), PSNR_TOLERANCE_DB, "frame " + (i + 1) + " Y-PSNR");
        }
        double ours = psnr.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(ours > 15 && ours < 40, "a plausible bicubic Y-PSNR for CRF 32: " + ours);
    }

    @Test
    void ssimAgreesWithFfmpegsSsimFilterInTheFourthDecimal() throws Exception {
        List<Double> ffmpeg = ffmpegPerFrame("ssim", Pattern.compile("Y:([0-9.]+)"));
        assertEquals(outputs.size(), ffmpeg.size(), "one FFmpeg line per frame");
        for (int i = 0; i < ffmpeg.size(); i++) {
            assertEquals(ffmpeg.get(i), ssim.get(i), SSIM_TOLERANCE, "frame " + (i + 1) + " SSIM");
        }
    }

    /** Runs FFmpeg's psnr or ssim filter (output first, ground truth second) and reads its per-frame stats. */
    private List<Double> ffmpegPerFrame(String filter, Pattern value) throws IOException, InterruptedException {
        Path out = EvalFixtures.writePngs(dir.resolve("out"), outputs);
        Path gt = EvalFixtures.writePngs(dir.resolve("gt"), truth);
        Path stats = dir.resolve(filter + ".txt");
        EvalFixtures.run(List.of(
                EvalFixtures.ffmpeg().toString(),
                "-v",
                "error",
                "-i",
                out.resolve("%03d.png").toString(),
                "-i",
                gt.resolve("%03d.png").toString(),
                "-lavfi",
                "[0:v]format=yuv444p[a];[1:v]format=yuv444p[b];[a][b]" + filter + "=stats_file=" + stats,
                "-f",
                "null",
                "-"));
        List<Double> values = new ArrayList<>();
        for (String line : Files.readAllLines(stats)) {
            Matcher m = value.matcher(line);
            if (m.find()) {
                values.add(Double.parseDouble(m.group(1)));
            }
        }
        return values;
    }
}
