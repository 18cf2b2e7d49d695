package io.distillery.report;

import static io.distillery.report.PlotAssert.assertNoTempFiles;
import static io.distillery.report.PlotAssert.assertPng;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurvePlotTest {

    @TempDir
    Path dir;

    private static List<MetricsRecord> decayingLoss(int n) {
        List<MetricsRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double loss = 5 * Math.exp(-i / 40.0) + 0.3 * Math.sin(i * 1.7) + 0.5;
            records.add(new MetricsRecord(10 * i, i / 50, loss, 1e-3, 300, i));
        }
        return records;
    }

    @Test
    void writesAPngOfTheRequestedSizeHeadless() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        PlotResult result = LossCurvePlot.write(
                decayingLoss(200), png, LossCurvePlot.Settings.defaults().withSize(640, 360));

        assertPng(png, 640, 360);
        assertThat(result).isEqualTo(new PlotResult(png, 200, 0, ""));
        assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
        assertNoTempFiles(png.getParent());
    }

    @Test
    void nonFiniteLossesAreSkippedWithANoteNotACrash() throws IOException {
        List<MetricsRecord> records = new ArrayList<>(decayingLoss(50));
        records.set(10, new MetricsRecord(100, 0, Double.NaN, 1e-3, 300, 10));
        records.set(30, new MetricsRecord(300, 0, Double.POSITIVE_INFINITY, 1e-3, 300, 30));
        Path png = dir.resolve("loss.png");
        PlotResult result = LossCurvePlot.write(records, png, LossCurvePlot.Settings.defaults());

        assertPng(png, 900, 500);
        assertThat(result.plotted()).isEqualTo(48);
        assertThat(result.skipped()).isEqualTo(2);
        assertThat(result.note()).isEqualTo("2 non-finite loss values skipped");
    }

    @Test
    void noFiniteValuesOrNoRecordsStillGiveAnImage() throws IOException {
        Path png = dir.resolve("nan.png");
        List<MetricsRecord> allNaN = List.of(
                new MetricsRecord(0, 0, Double.NaN, 1, 1, 1),
                new MetricsRecord(1, 0, Double.NEGATIVE_INFINITY, 1, 1, 1));
        PlotResult result = LossCurvePlot.write(
                allNaN, png, LossCurvePlot.Settings.defaults().withSize(300, 200));
        assertPng(png, 300, 200);
        assertThat(result.note()).isEqualTo("no finite loss values; 2 skipped");

        PlotResult empty = LossCurvePlot.write(
                List.of(),
                dir.resolve("empty.png"),
                LossCurvePlot.Settings.defaults().withSmoothing(0));
        assertPng(dir.resolve("empty.png"), 900, 500);
        assertThat(empty.note()).isEqualTo("no records");
    }

    @Test
    void aSinglePointAndAnUnsmoothedCurveRender() throws IOException {
        Path one = dir.resolve("one.png");
        LossCurvePlot.write(List.of(new MetricsRecord(0, 0, 2, 1, 1, 1)), one, LossCurvePlot.Settings.defaults());
        assertPng(one, 900, 500);
        Path raw = dir.resolve("raw.png");
        LossCurvePlot.write(
                decayingLoss(20), raw, LossCurvePlot.Settings.defaults().withSmoothing(0));
        assertPng(raw, 900, 500);
    }

    @Test
    void anExistingPlotIsReplacedInPlace() throws IOException {
        Path png = dir.resolve("loss.png");
        Files.writeString(png, "old");
        LossCurvePlot.write(
                decayingLoss(5), png, LossCurvePlot.Settings.defaults().withSize(200, 150));
        assertPng(png, 200, 150);
        assertNoTempFiles(dir);
    }

    @Test
    void smoothingIsTheDebiasedExponentialMovingAverage() {
        // w = 0.5: m = 0.5, 1.25, 2.125; debiased by 1 - 0.5^n = 0.5, 0.75, 0.875.
        assertThat(LossCurvePlot.smooth(new double[] {1, 2, 3}, 0.5))
                .containsExactly(new double[] {1, 1.25 / 0.75, 2.125 / 0.875}, within(1e-12));
        assertThat(LossCurvePlot.smooth(new double[] {4, 4, 4, 4}, 0.9))
                .containsExactly(new double[] {4, 4, 4, 4}, within(1e-12));
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> LossCurvePlot.Settings.defaults().withSize(50, 400))
                .hasMessage("plot size 50x400 is outside 100..10000 pixels per side");
        assertThatThrownBy(() -> LossCurvePlot.Settings.defaults().withSmoothing(1))
                .hasMessage("loss smoothing must be in [0, 1) but was 1.0");
        assertThatThrownBy(() -> LossCurvePlot.write(null, dir.resolve("x.png"), LossCurvePlot.Settings.defaults()))
                .hasMessage("records and settings must not be null");
    }
}
