package io.distillery.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training loss against iteration as a PNG, optionally with a smoothed line on top: TensorBoard's debiased
 * exponential moving average, {@code m_n = w m_(n-1) + (1 - w) x_n}, shown as {@code m_n / (1 - w^n)}.
 * Non-finite losses are left out (and out of the average), with a note in the title and the log.
 */
public final class LossCurvePlot {

    private static final Logger LOG = LoggerFactory.getLogger(LossCurvePlot.class);

    /**
     * @param smoothing EMA weight w in [0, 1); 0 draws no smoothed line
     */
    public record Settings(int width, int height, String title, double smoothing) {
        public Settings {
            Plots.checkSize(width, height);
            if (title == null) {
                throw new IllegalArgumentException("plot title must not be null");
            }
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw new IllegalArgumentException("loss smoothing must be in [0, 1) but was " + smoothing);
            }
        }

        /** 900 x 500, smoothing 0.6 (TensorBoard's default). */
        public static Settings defaults() {
            return new Settings(900, 500, "Training loss", 0.6);
        }

        public Settings withSmoothing(double w) {
            return new Settings(width, height, title, w);
        }

        public Settings withSize(int w, int h) {
            return new Settings(w, h, title, smoothing);
        }
    }

    private LossCurvePlot() {}

    /** Plots the records in the given order (a resumed run's metrics file already holds each iteration once). */
    public static PlotResult write(List<MetricsRecord> records, Path png, Settings settings) throws IOException {
        if (records == null || settings == null) {
            throw new IllegalArgumentException("records and settings must not be null");
        }
        Plots.ensureHeadless();
        List<double[]> points = new ArrayList<>(records.size());
        List<Integer> skippedAt = new ArrayList<>();
        for (MetricsRecord r : records) {
            if (Double.isFinite(r.loss())) {
                points.add(new double[] {r.iteration(), r.loss()});
            } else {
                skippedAt.add(r.iteration());
            }
        }
        String note = note(points.size(), skippedAt);
        if (!note.isEmpty()) {
            String where = skippedAt.isEmpty() ? "" : " at iterations " + preview(skippedAt);
            LOG.warn("loss plot {}: {}{}", png, note, where);
        }

        XYChart chart = new XYChartBuilder()
                .width(settings.width())
                .height(settings.height())
                .title(Plots.title(settings.title(), note))
                .xAxisTitle("iteration")
                .yAxisTitle("loss")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setAntiAlias(true);
        if (!points.isEmpty()) {
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            XYSeries raw = chart.addSeries("loss", x, y);
            raw.setMarker(SeriesMarkers.NONE);
            if (settings.smoothing() > 0) {
                raw.setLineColor(new Color(31, 119, 180, 90)); // faint under the smoothed line
                XYSeries smooth = chart.addSeries(
                        "smoothed (EMA " + settings.smoothing() + ")", x, smooth(y, settings.smoothing()));
                smooth.setMarker(SeriesMarkers.NONE);
                smooth.setLineColor(new Color(31, 119, 180));
            }
        } else {
            chart.getStyler().setLegendVisible(false);
        }
        Plots.writePng(chart, png);
        return new PlotResult(png, points.size(), skippedAt.size(), note);
    }

    /** Debiased EMA of y with weight w. */
    static double[] smooth(double[] y, double w) {
        double[] out = new double[y.length];
        double m = 0;
        double debias = 1;
        for (int i = 0; i < y.length; i++) {
            m = w * m + (1 - w) * y[i];
            debias *= w;
            out[i] = m / (1 - debias);
        }
        return out;
    }

    private static String note(int plotted, List<Integer> skipped) {
        if (plotted == 0) {
            return skipped.isEmpty() ? "no records" : "no finite loss values; " + skipped.size() + " skipped";
        }
        if (skipped.isEmpty()) {
            return "";
        }
        return skipped.size() + (skipped.size() == 1 ? " non-finite loss value" : " non-finite loss values")
                + " skipped";
    }

    private static String preview(List<Integer> iterations) {
        return iterations.size() <= 10 ? iterations.toString() : iterations.subList(0, 10) + " ...";
    }
}
