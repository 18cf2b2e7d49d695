package io.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.dataset.FeatureDataset;
import io.distillery.extract.SparkTestSession;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults wrapped by Spark or the JDK reach the user as one line and exit 2; bugs keep exit 1. */
class FailureReportTest {

    @Test
    void aBadInputFaultInsideASparkTaskIsUnwrappedToOneLine() {
        JavaSparkContext jsc =
                JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        Throwable thrown = catchThrowable(() -> jsc.parallelize(List.of(1, 2), 2)
                .map(i -> {
                    if (i == 2) {
                        throw new CheckpointFormatException(
                                "/m/teacher.safetensors: missing tensor 'blocks.0.norm1.weight' [64]");
                    }
                    return i;
                })
                .collect());
        assertThat(thrown).isInstanceOf(org.apache.spark.SparkException.class);
        assertThat(thrown.getMessage().lines().count()).isGreaterThan(1);

        FailureReport.Outcome outcome = FailureReport.of((Exception) thrown);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.line()).isEqualTo("/m/teacher.safetensors: missing tensor 'blocks.0.norm1.weight' [64]");
    }

    @Test
    void aFolderThatIsNotADatasetIsBadInput(@TempDir Path dir) {
        Throwable thrown = catchThrowable(() -> FeatureDataset.open(SparkTestSession.get(), dir.toString(), false));
        FailureReport.Outcome outcome = FailureReport.of(thrown);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.line()).startsWith(dir + ": not a Distillery feature dataset");
    }

    @Test
    void jdkFileErrorsNameTheFileAndWhatWentWrong(@TempDir Path dir) throws Exception {
        Path readOnly = Files.createDirectories(dir.resolve("run"));
        FailureReport.Outcome outcome = FailureReport.of(new RuntimeException(
                "dl4j: could not save",
                new UncheckedIOException(
                        new AccessDeniedException(readOnly.resolve("model.zip").toString()))));
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.line()).contains(readOnly.resolve("model.zip") + ": permission denied");
        assertThat(FailureReport.of(new AccessDeniedException("/r/x")).line()).isEqualTo("/r/x: permission denied");
    }

    @Test
    void internalBugsKeepExitCodeOne() {
        FailureReport.Outcome outcome = FailureReport.of(new IllegalStateException("bug"));
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(FailureReport.of(new RuntimeException("wrapper", new NullPointerException()))
                        .exitCode())
                .isEqualTo(1);
    }
}
