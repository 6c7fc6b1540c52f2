package org.sdatc.enhancer.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sdatc.enhancer.eval.EvalReport;
import org.sdatc.enhancer.eval.RunResult;

/** The terminal's summary: one row per clip x CRF x method with the means and ms/frame. */
public final class SummaryTable {
    private static final String[] HEADER = {
        "clip", "crf", "method", "Y-PSNR", "SSIM", "E_warp(1e-3)", "tOF", "BRISQUE", "ms/frame"
    };

    private SummaryTable() {}

    public static String render(EvalReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (RunResult r : report.runs()) {
            var s = r.scores();
            rows.add(new String[] {
                r.clip(),
                Integer.toString(r.crf()),
                r.method(),
                fmt("%.2f", s.meanPsnrY()),
                fmt("%.4f", s.meanSsim()),
                fmt("%.3f", s.meanWarpError() * 1000),
                fmt("%.3f", s.meanTof()),
                fmt("%.2f", s.meanBrisque()),
                fmt("%.1f", r.timing().msPerFrame())
            });
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            for (int i = 0; i < row.length; i++) {
                // Names left-aligned, numbers right-aligned.
                String cell = i < 3 && i != 1
                        ? String.format("%-" + width[i] + "s", row[i])
                        : String.format("%" + width[i] + "s", row[i]);
                out.append(i == 0 ? "" : "  ").append(cell);
            }
            out.append('\n');
            if (k == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                out.append("-".repeat(total + 2 * (width.length - 1))).append('\n');
            }
        }
        return out.toString();
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }
}
