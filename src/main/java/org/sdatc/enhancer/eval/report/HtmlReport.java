package org.sdatc.enhancer.eval.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.eval.ClipSummary;
import org.sdatc.enhancer.eval.CropSet;
import org.sdatc.enhancer.eval.EvalReport;
import org.sdatc.enhancer.eval.RunResult;
import org.sdatc.enhancer.tensor.Image;

/**
 * {@code report.html}: one self-contained page (styles inline, every image a base64 PNG, no script,
 * no network) that opens offline in any browser. Per clip and CRF: a table of the metrics (best
 * value of each column in bold), the detailed region side by side (low-resolution input by nearest
 * neighbour, bicubic, each method, ground truth) and Y-PSNR per frame; per clip, quality against
 * ms/frame; and the command line, the methods' model ids and the protocol.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static void write(EvalReport report, Path file) {
        try {
            Files.writeString(file, render(report), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    static String render(EvalReport r) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.append("<title>sdatc-enhancer eval: ")
                .append(esc(String.join(
                        ", ", r.clips().stream().map(ClipSummary::name).toList())))
                .append("</title>\n");
        h.append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>sdatc-enhancer eval</h1>\n");
        h.append("<p class=\"meta\">Created ")
                .append(esc(r.created().toString()))
                .append(" in ")
                .append(String.format(Locale.ROOT, "%.1f", r.seconds()))
                .append(" s on ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPU cores, Java ")
                .append(esc(System.getProperty("java.version")))
                .append(".</p>\n");
        h.append("<h2>Command</h2>\n<pre class=\"command\">")
                .append(esc(r.command()))
                .append("</pre>\n");
        methods(h, r);
        protocol(h, r);
        for (ClipSummary clip : r.clips()) {
            clip(h, r, clip);
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void methods(StringBuilder h, EvalReport r) {
        h.append("<h2>Methods</h2>\n<table>\n<tr><th>method</th><th>model id</th><th>settings</th>")
                .append("<th>steps</th><th>provider</th><th>window (length / context)</th></tr>\n");
        for (EvalReport.MethodSummary m : r.methods()) {
            StringBuilder settings = new StringBuilder();
            new TreeMap<>(m.settings())
                    .forEach((k, v) -> settings.append("<code>")
                            .append(esc(k))
                            .append("=")
                            .append(esc(v))
                            .append("</code> "));
            h.append("<tr><td>")
                    .append(esc(m.name()))
                    .append("</td><td><code>")
                    .append(esc(m.model()))
                    .append("</code></td><td>")
                    .append(settings)
                    .append("</td><td>")
                    .append(m.steps())
                    .append("</td><td>")
                    .append(esc(m.provider()))
                    .append("</td><td>")
                    .append(m.windowLength())
                    .append(" / ")
                    .append(m.windowContext())
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void protocol(StringBuilder h, EvalReport r) {
        h.append("<h2>Protocol</h2>\n<ul>\n");
        h.append("<li>Degradation: ground truth shrunk x4 with libswscale bicubic, then libx264 preset <code>")
                .append(esc(r.degradation().preset()))
                .append("</code> at CRF ")
                .append(esc(r.crfs().toString()))
                .append(", one closed GOP per ")
                .append(r.degradation().segmentSeconds())
                .append(" s segment (a live encoder's keyframe interval), no B-frames. Each method gets the")
                .append(" segments as the service would, decoded and enhanced by the same pipeline as")
                .append(" <code>enhance</code>.</li>\n");
        h.append("<li>Y-PSNR and SSIM on BT.601 limited-range luma (Y 16-235, 8-bit) of the 8-bit RGB output,")
                .append(" every pixel (<b>no border crop</b>, as FFmpeg's <code>psnr</code> and <code>ssim</code>")
                .append(" filters); SSIM as FFmpeg computes it (8x8 windows every 4 pixels). Means are over frames.")
                .append("</li>\n");
        h.append("<li>E<sub>warp</sub>: output frame t-1 warped to t with the ground truth's optical flow")
                .append(" (OpenCV DIS, medium), squared RGB error in [0,1] over the pixels where that flow is")
                .append(" consistent (Lai et al. 2018), shown x10<sup>-3</sup>. tOF: mean distance in pixels between")
                .append(
                        " the output's own flow and the ground truth's (after TecoGAN, with DIS). Lower is steadier, but")
                .append(" blur lowers both too: the ground-truth row shows what the true frames score, and a")
                .append(" sharp method should be near it, not far below.</li>\n");
        h.append("<li>BRISQUE (no reference, lower is more natural): ")
                .append(esc(r.brisque()))
                .append("</li>\n");
        h.append("<li>ms/frame: wall clock of decode + enhance on this machine, first segment's warm-up")
                .append(" included; the per-stage times are the pipeline's own (stages may nest: the SDATC")
                .append(" sampler includes its UNet steps).</li>\n");
        h.append("</ul>\n");
    }

    private static void clip(StringBuilder h, EvalReport r, ClipSummary clip) {
        h.append("<h2 id=\"")
                .append(esc(clip.name()))
                .append("\">Clip ")
                .append(esc(clip.name()))
                .append("</h2>\n");
        h.append("<p class=\"meta\"><code>")
                .append(esc(clip.source().toAbsolutePath().toString()))
                .append("</code>: ")
                .append(clip.frames())
                .append(" frames, ")
                .append(clip.width())
                .append("x")
                .append(clip.height())
                .append(" at ")
                .append(String.format(Locale.ROOT, "%.3g", clip.fps()))
                .append(" fps; low resolution ")
                .append(clip.width() / 4)
                .append("x")
                .append(clip.height() / 4)
                .append(".</p>\n");
        List<RunResult> clipRuns =
                r.runs().stream().filter(x -> x.clip().equals(clip.name())).toList();
        h.append("<img class=\"chart\" alt=\"")
                .append(esc(clip.name()))
                .append(": mean Y-PSNR against ms per frame\" src=\"")
                .append(Png.dataUri(Charts.qualityVsCost(clip.name(), clipRuns)))
                .append("\">\n");
        for (int crf : r.crfs()) {
            List<RunResult> runs = r.runs(clip.name(), crf);
            if (runs.isEmpty()) {
                continue;
            }
            h.append("<h3>")
                    .append(esc(clip.name()))
                    .append(", CRF ")
                    .append(crf)
                    .append("</h3>\n<p class=\"meta\">Low-resolution stream: ")
                    .append(String.format(Locale.ROOT, "%.0f", runs.get(0).lowResKbps()))
                    .append(" kbit/s.</p>\n");
            table(h, clip, runs);
            r.crops().stream()
                    .filter(c -> c.clip().equals(clip.name()) && c.crf() == crf)
                    .findFirst()
                    .ifPresent(c -> crops(h, c, runs));
            h.append("<img class=\"chart\" alt=\"")
                    .append(esc(clip.name()))
                    .append(" CRF ")
                    .append(crf)
                    .append(": Y-PSNR per frame\" src=\"")
                    .append(Png.dataUri(Charts.psnrPerFrame(clip.name(), crf, runs)))
                    .append("\">\n");
        }
    }

    private static void table(StringBuilder h, ClipSummary clip, List<RunResult> runs) {
        double bestPsnr = best(runs, x -> x.scores().meanPsnrY(), true);
        double bestSsim = best(runs, x -> x.scores().meanSsim(), true);
        double bestWarp = best(runs, x -> x.scores().meanWarpError(), false);
        double bestTof = best(runs, x -> x.scores().meanTof(), false);
        double bestBrisque = best(runs, x -> x.scores().meanBrisque(), false);
        double bestMs = best(runs, x -> x.timing().msPerFrame(), false);
        h.append("<table>\n<tr><th>method</th><th>model id</th><th>Y-PSNR (dB)</th><th>SSIM</th>")
                .append("<th>E<sub>warp</sub> (x10<sup>-3</sup>)</th><th>tOF (px)</th><th>BRISQUE</th>")
                .append("<th>ms/frame</th><th>ms/frame by stage</th></tr>\n");
        for (RunResult run : runs) {
            var s = run.scores();
            h.append("<tr><td>")
                    .append(esc(run.method()))
                    .append("</td><td><code>")
                    .append(esc(run.model()))
                    .append("</code></td>");
            cell(h, s.meanPsnrY(), "%.2f", 1, bestPsnr);
            cell(h, s.meanSsim(), "%.4f", 1, bestSsim);
            cell(h, s.meanWarpError(), "%.3f", 1000, bestWarp);
            cell(h, s.meanTof(), "%.3f", 1, bestTof);
            cell(h, s.meanBrisque(), "%.2f", 1, bestBrisque);
            cell(h, run.timing().msPerFrame(), "%.1f", 1, bestMs);
            StringBuilder stages = new StringBuilder();
            for (Map.Entry<Stage, Long> e : run.timing().stageNanos().entrySet()) {
                stages.append(esc(e.getKey().tag()))
                        .append(" ")
                        .append(String.format(Locale.ROOT, "%.1f", run.timing().msPerFrame(e.getKey())))
                        .append("; ");
            }
            h.append("<td class=\"stages\">").append(stages).append("</td></tr>\n");
        }
        h.append("<tr class=\"truth\"><td>ground truth</td><td></td><td></td><td></td>");
        cell(h, clip.ownWarpError(), "%.3f", 1000, Double.NaN);
        h.append("<td>0</td>");
        cell(h, clip.ownBrisque(), "%.2f", 1, Double.NaN);
        h.append("<td></td><td></td></tr>\n</table>\n");
    }

    private static void crops(StringBuilder h, CropSet c, List<RunResult> runs) {
        h.append("<p class=\"meta\">Most detailed ")
                .append(c.region().size())
                .append("x")
                .append(c.region().size())
                .append(" region of frame ")
                .append(c.region().frame() + 1)
                .append(" (x ")
                .append(c.region().x())
                .append(", y ")
                .append(c.region().y())
                .append("), shown at 2x.</p>\n<div class=\"crops\">\n");
        figure(h, c.lowRes(), "low resolution (nearest)", "decoded input");
        for (var e : c.byMethod().entrySet()) {
            RunResult run = runs.stream()
                    .filter(x -> x.method().equals(e.getKey()))
                    .findFirst()
                    .orElse(null);
            String detail = run == null
                    ? ""
                    : String.format(
                            Locale.ROOT,
                            "%.2f dB this frame",
                            run.scores().psnrY()[c.region().frame()]);
            figure(h, e.getValue(), e.getKey(), detail);
        }
        figure(h, c.truth(), "ground truth", "");
        h.append("</div>\n");
    }

    private static void figure(StringBuilder h, Image crop, String label, String detail) {
        if (crop == null) {
            return;
        }
        h.append("<figure><img alt=\"")
                .append(esc(label))
                .append("\" width=\"")
                .append(crop.width() * 2)
                .append("\" height=\"")
                .append(crop.height() * 2)
                .append("\" src=\"")
                .append(Png.dataUri(Png.encode(crop)))
                .append("\"><figcaption>")
                .append(esc(label));
        if (!detail.isEmpty()) {
            h.append("<br><span class=\"meta\">").append(esc(detail)).append("</span>");
        }
        h.append("</figcaption></figure>\n");
    }

    private static void cell(StringBuilder h, double v, String format, double factor, double best) {
        if (Double.isNaN(v)) {
            h.append("<td class=\"na\">n/a</td>");
            return;
        }
        String text = String.format(Locale.ROOT, format, v * factor);
        boolean isBest = !Double.isNaN(best) && v == best;
        h.append(isBest ? "<td><b>" + text + "</b></td>" : "<td>" + text + "</td>");
    }

    private static double best(List<RunResult> runs, ToDoubleFunction<RunResult> f, boolean higher) {
        return runs.stream()
                .mapToDouble(f)
                .filter(v -> !Double.isNaN(v))
                .reduce(higher ? Math::max : Math::min)
                .orElse(Double.NaN);
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    private static final String STYLE = """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
                   max-width: 1200px; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.6em; }
            table { border-collapse: collapse; margin: 0.6em 0; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; vertical-align: top; }
            th { background: #f3f3f3; } td:first-child, td:nth-child(2) { text-align: left; }
            td.stages { font-size: 0.85em; text-align: left; color: #555; } td.na { color: #999; }
            tr.truth td { color: #555; font-style: italic; }
            pre.command { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; word-break: break-all; }
            .meta { color: #666; }
            .crops { display: flex; flex-wrap: wrap; gap: 10px; }
            figure { margin: 0; text-align: center; }
            figure img { image-rendering: pixelated; border: 1px solid #ddd; display: block; }
            figcaption { font-size: 0.9em; margin-top: 2px; }
            img.chart { display: block; margin: 0.8em 0; max-width: 100%; }
            code { font-size: 0.92em; }
            """;
}
