package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.metrics.MetricsFile;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The driver's per-round bookkeeping: metrics, checkpoint cadence, budget, and the NaN stop. */
class RoundTrackerTest {

    @Test
    void checkpointsOnCadenceAndStopsOnNanLeavingTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        TrainSettings s = TrainFixtures.settings(TrainFixtures.overrides(
                dir.resolve("ds"),
                dir.resolve("run"),
                "checkpoint.every=4",
                "checkpoint.keep=5",
                "iterations=100",
                "optimizer.weight-decay=0"));
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        ComputationGraph net =
                StudentGraph.create(config, TargetRecipe.defaults(3), 64, s.optimization(), DataType.FLOAT);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path run =
                new org.apache.hadoop.fs.Path(dir.resolve("run").toUri());
        CheckpointStore store = new CheckpointStore(fs, run, 5);
        MetricsFile metrics = new MetricsFile(fs, new org.apache.hadoop.fs.Path(run, "metrics.jsonl"));
        RoundTracker tracker = new RoundTracker(
                "train",
                s,
                store,
                metrics,
                s.optimization().schedule(),
                16,
                new TrainingState(0, 0, 0, 0, Double.NaN, "ds", 0));

        for (int iteration : new int[] {2, 4, 6}) {
            net.getConfiguration().setIterationCount(iteration);
            assertThat(tracker.afterRound(net, 1.0 / iteration)).isTrue();
        }
        net.getConfiguration().setIterationCount(8);
        assertThatThrownBy(() -> tracker.afterRound(net, Double.NaN))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("loss NaN at iteration 8")
                .hasMessageContaining("nothing was saved after iteration 4 (last good checkpoint: ")
                .hasMessageContaining("iter-00000004)");
        net.getConfiguration().setIterationCount(10);
        net.params().putScalar(0, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> tracker.afterRound(net, 0.5)).hasMessageContaining("diverged");

        try (Stream<Path> files = Files.list(dir.resolve("run/checkpoints"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("iter-00000004");
        }
        assertThat(Files.readAllLines(dir.resolve("run/metrics.jsonl"))).hasSize(3);
        assertThat(store.newest().orElseThrow().state().loss()).isEqualTo(0.25);
    }

    @Test
    void divergenceBeforeTheFirstCheckpointCitesNone(@TempDir Path dir) throws Exception {
        TrainSettings s = TrainFixtures.settings(TrainFixtures.overrides(
                dir.resolve("ds"), dir.resolve("run"), "checkpoint.every=100", "iterations=100"));
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        ComputationGraph net =
                StudentGraph.create(config, TargetRecipe.defaults(3), 64, s.optimization(), DataType.FLOAT);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path run =
                new org.apache.hadoop.fs.Path(dir.resolve("run").toUri());
        RoundTracker tracker = new RoundTracker(
                "train",
                s,
                new CheckpointStore(fs, run, 1),
                new MetricsFile(fs, new org.apache.hadoop.fs.Path(run, "metrics.jsonl")),
                s.optimization().schedule(),
                16,
                new TrainingState(0, 0, 0, 0, Double.NaN, "ds", 0));
        net.getConfiguration().setIterationCount(2);
        assertThatThrownBy(() -> tracker.afterRound(net, Double.NaN))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("no checkpoint had been written yet (nothing to resume from)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("last good checkpoint"));
        assertThat(dir.resolve("run/checkpoints")).doesNotExist();
    }

    @Test
    void reportsTheBudgetAsReached(@TempDir Path dir) throws Exception {
        TrainSettings s = TrainFixtures.settings(
                TrainFixtures.overrides(dir.resolve("ds"), dir.resolve("run"), "iterations=4", "checkpoint.every=100"));
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        ComputationGraph net =
                StudentGraph.create(config, TargetRecipe.defaults(3), 64, s.optimization(), DataType.FLOAT);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path run =
                new org.apache.hadoop.fs.Path(dir.resolve("run").toUri());
        RoundTracker tracker = new RoundTracker(
                "train",
                s,
                new CheckpointStore(fs, run, 1),
                new MetricsFile(fs, new org.apache.hadoop.fs.Path(run, "metrics.jsonl")),
                s.optimization().schedule(),
                16,
                new TrainingState(0, 0, 0, 0, Double.NaN, "ds", 0));
        net.getConfiguration().setIterationCount(2);
        assertThat(tracker.afterRound(net, 1.0)).isTrue();
        net.getConfiguration().setIterationCount(4);
        assertThat(tracker.afterRound(net, 0.9)).as("budget reached").isFalse();
        assertThat(tracker.lastCheckpointIteration())
                .as("the final iteration is always saved")
                .isEqualTo(4);
    }
}
