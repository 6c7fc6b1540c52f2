package org.sdatc.enhancer.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.TreeMap;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.eval.ClipSummary;
import org.sdatc.enhancer.eval.EvalReport;
import org.sdatc.enhancer.eval.RunResult;
import org.sdatc.enhancer.eval.Scores;

/**
 * {@code metrics.json}: the protocol, the methods with their model ids, the clips, and one object
 * per clip x CRF x method under {@code results} with the means ({@code psnr_y}, {@code ssim}, {@code
 * warp_error}, {@code tof}, {@code brisque}), {@code ms_per_frame} ({@code total} and per stage) and
 * the per-frame values under {@code per_frame}. A value that could not be computed is null.
 */
public final class MetricsJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsJson() {}

    public static void write(EvalReport report, Path file) {
        try {
            JSON.writeValue(file.toFile(), toJson(report));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    static ObjectNode toJson(EvalReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("tool", "sdatc-enhancer eval");
        root.put("command", report.command());
        root.put("created", report.created().toString());
        root.put("seconds", round(report.seconds(), 1));
        root.set("protocol", protocol(report));
        ArrayNode methods = root.putArray("methods");
        for (EvalReport.MethodSummary m : report.methods()) {
            ObjectNode o = methods.addObject();
            o.put("name", m.name());
            ObjectNode settings = o.putObject("settings");
            new TreeMap<>(m.settings()).forEach(settings::put);
            o.put("model", m.model());
            o.put("steps", m.steps());
            o.put("provider", m.provider());
            o.put("window_length", m.windowLength());
            o.put("window_context", m.windowContext());
        }
        ArrayNode clips = root.putArray("clips");
        for (ClipSummary c : report.clips()) {
            ObjectNode o = clips.addObject();
            o.put("name", c.name());
            o.put("source", c.source().toAbsolutePath().toString());
            o.put("frames", c.frames());
            o.put("width", c.width());
            o.put("height", c.height());
            o.put("fps", round(c.fps(), 3));
            number(o, "ground_truth_brisque", c.ownBrisque(), 3);
            number(o, "ground_truth_warp_error", c.ownWarpError(), 7);
        }
        ArrayNode results = root.putArray("results");
        for (RunResult r : report.runs()) {
            results.add(result(r));
        }
        return root;
    }

    private static ObjectNode protocol(EvalReport report) {
        ObjectNode p = JSON.createObjectNode();
        p.put("scale", 4);
        p.put("downscale", "libswscale bicubic (FFmpeg scale=W/4:H/4:flags=bicubic)");
        p.put("codec", "libx264");
        p.put("preset", report.degradation().preset());
        p.put("gop_seconds", report.degradation().segmentSeconds());
        p.put("b_frames", 0);
        ArrayNode crfs = p.putArray("crfs");
        report.crfs().forEach(crfs::add);
        p.put("luma", "BT.601 limited range (Y 16-235), rounded to 8 bits, of the 8-bit RGB output frames");
        p.put("border_crop", 0);
        p.put("psnr_y", "10 log10(255^2 / MSE) per frame, all pixels; the mean is over frames; identical frames 100");
        p.put("ssim", "FFmpeg's ssim filter: 8x8 windows every 4 pixels, on Y; the mean is over frames");
        p.put(
                "warp_error",
                "per pair (t-1, t): output t-1 warped to t with the ground truth's DIS flow, masked squared RGB"
                        + " error in [0,1] summed over channels (Lai et al. 2018); entry i is pair (i, i+1)");
        p.put(
                "tof",
                "per pair: mean end-point distance between the output's DIS flow (t to t-1) and the ground"
                        + " truth's, in pixels; entry i is pair (i, i+1)");
        p.put("flow", "OpenCV DIS, preset medium");
        p.put("brisque", report.brisque());
        p.put("ms_per_frame", "wall clock of decode + enhance per frame; stages as the pipeline times them (may nest)");
        return p;
    }

    private static ObjectNode result(RunResult r) {
        ObjectNode o = JSON.createObjectNode();
        Scores s = r.scores();
        o.put("clip", r.clip());
        o.put("crf", r.crf());
        o.put("method", r.method());
        o.put("model", r.model());
        o.put("frames", s.psnrY().length);
        o.put("lr_kbps", round(r.lowResKbps(), 1));
        number(o, "psnr_y", s.meanPsnrY(), 4);
        number(o, "ssim", s.meanSsim(), 6);
        number(o, "warp_error", s.meanWarpError(), 7);
        number(o, "tof", s.meanTof(), 4);
        number(o, "brisque", s.meanBrisque(), 3);
        ObjectNode ms = o.putObject("ms_per_frame");
        ms.put("total", round(r.timing().msPerFrame(), 3));
        for (Stage stage : r.timing().stageNanos().keySet()) {
            ms.put(stage.tag(), round(r.timing().msPerFrame(stage), 3));
        }
        ObjectNode perFrame = o.putObject("per_frame");
        array(perFrame, "psnr_y", s.psnrY(), 4);
        array(perFrame, "ssim", s.ssim(), 6);
        array(perFrame, "brisque", s.brisque(), 3);
        array(perFrame, "warp_error", s.warpError(), 7);
        array(perFrame, "tof", s.tof(), 4);
        return o;
    }

    private static void number(ObjectNode o, String key, double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(key);
        } else {
            o.put(key, round(v, decimals));
        }
    }

    private static void array(ObjectNode o, String key, double[] values, int decimals) {
        ArrayNode a = o.putArray(key);
        for (double v : values) {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                a.addNull();
            } else {
                a.add(round(v, decimals));
            }
        }
    }

    private static double round(double v, int decimals) {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_EVEN).doubleValue();
    }
}
