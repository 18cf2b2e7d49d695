package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code distillery train / finetune / evaluate}: bad settings give exit code 2 and one line, before Spark starts. */
class TrainCommandTest {

    @Test
    void badSettingsGiveOneLine() {
        assertThat(runCapturingErr("train", "--set", "run-dir=/tmp/x"))
                .isEqualTo(
                        "distillery train: error: distillery.train.dataset is required (a feature dataset written by extract)");
        assertThat(runCapturingErr("train", "--set", "dataset=/d", "--set", "iteratons=5"))
                .startsWith("distillery train: error: unknown setting 'distillery.train.iteratons' (--set)");
        assertThat(runCapturingErr("train", "--set", "dataset=/d"))
                .isEqualTo("distillery train: error: distillery.train.run-dir is required");
        assertThat(runCapturingErr("train", "--set", "dataset=/d", "--set", "run-dir=/r", "--set", "iterations=0"))
                .isEqualTo("distillery train: error: distillery.train.iterations must be >= 1, got 0");
        assertThat(runCapturingErr(
                        "train",
                        "--set",
                        "dataset=/d",
                        "--set",
                        "run-dir=/r",
                        "--set",
                        "parameter-averaging.approach=mesh"))
                .contains("parameter-averaging.approach must be auto, export or direct, got 'mesh'");
        assertThat(runCapturingErr("finetune", "--set", "run-dir=/r"))
                .contains("set exactly one of dataset (a feature dataset) and images.path");
        assertThat(runCapturingErr("evaluate", "--set", "out=/o"))
                .contains("distillery.evaluate.train-images.path is required");
    }
}
