package io.distillery.report;

import static io.distillery.report.PlotAssert.assertNoTempFiles;
import static io.distillery.report.PlotAssert.assertPng;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyBarPlotTest {

    @TempDir
    Path dir;

    private static final ModelResult TEACHER =
            ModelResult.accuracies("beitv2-base", "teacher", 0.78, 0.84, 768, 60_000, 10_000);
    private static final ModelResult STUDENT =
            ModelResult.accuracies("d2v2-small", "student", 0.61, 0.70, 384, 60_000, 10_000);

    @Test
    void groupedBarsForEveryModelAsAPng() throws IOException {
        Path png = dir.resolve("accuracy.png");
        PlotResult result = AccuracyBarPlot.write(
                List.of(TEACHER, STUDENT),
                png,
                AccuracyBarPlot.Settings.defaults().withSize(700, 420));
        assertPng(png, 700, 420);
        assertThat(result).isEqualTo(new PlotResult(png, 4, 0, ""));
        assertNoTempFiles(dir);
    }

    @Test
    void nonFiniteValuesAreSkippedWithANoteAndMissingOnesLeaveNoBar() throws IOException {
        ModelResult diverged = new ModelResult("student-lr-high", "student", Double.NaN, null, null, null, 384, 10, 10);
        ModelResult knnOnly = new ModelResult("baseline", "baseline", 0.5, null, null, null, 64, 10, 10);
        Path png = dir.resolve("accuracy.png");
        PlotResult result = AccuracyBarPlot.write(List.of(diverged, knnOnly), png, AccuracyBarPlot.Settings.defaults());
        assertPng(png, 900, 500);
        assertThat(result.plotted()).isEqualTo(1);
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(result.note()).isEqualTo("1 non-finite value skipped");
    }

    @Test
    void nothingToDrawStillGivesAnImage() throws IOException {
        ModelResult none = new ModelResult("m", "student", null, Double.POSITIVE_INFINITY, 0.1, 0.9, 8, 1, 1);
        PlotResult result = AccuracyBarPlot.write(
                List.of(none),
                dir.resolve("a.png"),
                AccuracyBarPlot.Settings.defaults().withSize(300, 300));
        assertPng(dir.resolve("a.png"), 300, 300);
        assertThat(result.note()).isEqualTo("no accuracies to plot; 1 non-finite value skipped");
    }

    @Test
    void badInputsAreClearErrors() {
        Path png = dir.resolve("a.png");
        assertThatThrownBy(() -> AccuracyBarPlot.write(List.of(), png, AccuracyBarPlot.Settings.defaults()))
                .hasMessage("no models to plot");
        assertThatThrownBy(() ->
                        AccuracyBarPlot.write(List.of(TEACHER, TEACHER), png, AccuracyBarPlot.Settings.defaults()))
                .hasMessage("model name 'beitv2-base' appears twice");
    }
}
