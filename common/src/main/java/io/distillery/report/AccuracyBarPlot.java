package io.distillery.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kNN and linear-probe top-1 accuracy (percent) per model as grouped bars, as a PNG. A metric that is missing for
 * every model gets no bars; non-finite values are left out with a note in the title and the log.
 */
public final class AccuracyBarPlot {

    private static final Logger LOG = LoggerFactory.getLogger(AccuracyBarPlot.class);

    public record Settings(int width, int height, String title) {
        public Settings {
            Plots.checkSize(width, height);
            if (title == null) {
                throw new IllegalArgumentException("plot title must not be null");
            }
        }

        public static Settings defaults() {
            return new Settings(900, 500, "Top-1 accuracy");
        }

        public Settings withSize(int w, int h) {
            return new Settings(w, h, title);
        }
    }

    private AccuracyBarPlot() {}

    public static PlotResult write(List<ModelResult> models, Path png, Settings settings) throws IOException {
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("no models to plot");
        }
        if (settings == null) {
            throw new IllegalArgumentException("plot settings must not be null");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ModelResult m : models) {
            if (!seen.add(m.name())) {
                throw new IllegalArgumentException("model name '" + m.name() + "' appears twice");
            }
            names.add(m.name());
        }
        Plots.ensureHeadless();
        CategoryChart chart = new CategoryChartBuilder()
                .width(settings.width())
                .height(settings.height())
                .xAxisTitle("model")
                .yAxisTitle("top-1 accuracy (%)")
                .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler()
                .setLabelsVisible(true)
                .setLegendPosition(Styler.LegendPosition.OutsideS)
                .setLegendLayout(Styler.LegendLayout.Horizontal)
                .setAntiAlias(true);
        chart.getStyler().setYAxisDecimalPattern("0.#"); // also formats the bar labels: "78.1"

        List<String> skipped = new ArrayList<>();
        int plotted = addSeries(chart, "kNN", names, models, ModelResult::knnAccuracy, skipped)
                + addSeries(chart, "linear probe", names, models, ModelResult::linearProbeAccuracy, skipped);
        if (models.stream().anyMatch(m -> m.headAccuracy() != null)) {
            plotted += addSeries(chart, "classifier head", names, models, ModelResult::headAccuracy, skipped);
        }
        String note = "";
        if (plotted == 0) {
            // XChart cannot draw a category chart without series; an all-empty one keeps the axes and the note.
            List<Double> empty = new ArrayList<>(java.util.Collections.nCopies(names.size(), (Double) null));
            chart.addSeries("none", names, empty);
            chart.getStyler().setLegendVisible(false);
            note = "no accuracies to plot";
        }
        if (!skipped.isEmpty()) {
            note = (note.isEmpty() ? "" : note + "; ") + skipped.size()
                    + (skipped.size() == 1 ? " non-finite value" : " non-finite values") + " skipped";
            LOG.warn("accuracy plot {}: non-finite values skipped: {}", png, skipped);
        }
        chart.setTitle(Plots.title(settings.title(), note));
        Plots.writePng(chart, png);
        return new PlotResult(png, plotted, skipped.size(), note);
    }

    /** Adds one bar series in percent (null where missing or non-finite); returns the number of bars. */
    private static int addSeries(
            CategoryChart chart,
            String series,
            List<String> names,
            List<ModelResult> models,
            Function<ModelResult, Double> metric,
            List<String> skipped) {
        List<Double> values = new ArrayList<>();
        int bars = 0;
        for (ModelResult m : models) {
            Double v = metric.apply(m);
            if (v != null && !Double.isFinite(v)) {
                skipped.add(series + " of " + m.name() + " = " + v);
                v = null;
            }
            values.add(v == null ? null : 100 * v);
            bars += v == null ? 0 : 1;
        }
        if (bars > 0) {
            chart.addSeries(series, names, values);
        }
        return bars;
    }
}
