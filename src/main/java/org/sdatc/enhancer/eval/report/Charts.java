package org.sdatc.enhancer.eval.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sdatc.enhancer.eval.RunResult;

/** The report's plots, drawn with XChart and rendered to PNG (no display needed: AWT headless). */
final class Charts {
    private static final int WIDTH = 820;
    private static final int HEIGHT = 380;

    private Charts() {}

    /** Y-PSNR of every frame, one line per method, for one clip at one CRF. */
    static byte[] psnrPerFrame(String clip, int crf, List<RunResult> runs) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(clip + ", CRF " + crf + ": Y-PSNR per frame")
                .xAxisTitle("frame")
                .yAxisTitle("Y-PSNR (dB)")
                .build();
        style(chart);
        for (RunResult run : runs) {
            double[] psnr = run.scores().psnrY();
            double[] x = new double[psnr.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            XYSeries s = chart.addSeries(run.method(), x, psnr);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return render(chart);
    }

    /**
     * Mean Y-PSNR against ms per frame (log scale), one series per method, a point per CRF: what each
     * method buys for its cost.
     */
    static byte[] qualityVsCost(String clip, List<RunResult> runs) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(clip + ": quality against cost (one point per CRF)")
                .xAxisTitle("ms per frame (decode + enhance, log scale)")
                .yAxisTitle("mean Y-PSNR (dB)")
                .build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisDecimalPattern("0.#");
        Map<String, List<RunResult>> byMethod = runs.stream()
                .collect(Collectors.groupingBy(RunResult::method, LinkedHashMap::new, Collectors.toList()));
        for (var e : byMethod.entrySet()) {
            chart.addSeries(
                    e.getKey(),
                    values(e.getValue(), r -> r.timing().msPerFrame()),
                    values(e.getValue(), r -> r.scores().meanPsnrY()));
            for (RunResult r : e.getValue()) {
                chart.addAnnotation(new AnnotationText(
                        "crf " + r.crf(), r.timing().msPerFrame(), r.scores().meanPsnrY() + yOffset(runs), false));
            }
        }
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        return render(chart);
    }

    /** A small lift so a point's label does not sit on the marker. */
    private static double yOffset(List<RunResult> runs) {
        double lo = runs.stream().mapToDouble(r -> r.scores().meanPsnrY()).min().orElse(0);
        double hi = runs.stream().mapToDouble(r -> r.scores().meanPsnrY()).max().orElse(0);
        return Math.max(0.02, (hi - lo) * 0.04);
    }

    private static double[] values(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return runs.stream().mapToDouble(f).toArray();
    }

    private static void style(XYChart chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAntiAlias(true);
    }

    private static byte[] render(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("XChart could not render '" + chart.getTitle() + "'", e);
        }
    }
}
