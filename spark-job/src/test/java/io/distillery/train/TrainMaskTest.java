package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderExport;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.report.MetricsRecord;
import io.distillery.student.MaskedStudentGraph;
import io.distillery.student.Optimization;
import io.distillery.student.StudentGraph;
import io.distillery.student.StudentWeights;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * train with {@code student.mask.enabled}: data2vec 2.0's masked student (2 clones per row) on the small real
 * feature dataset trains, counts samples and rows, checkpoints, resumes, and exports the plain encoder; the mask
 * settings are checked with messages that name their keys.
 */
class TrainMaskTest {
    @TempDir
    static Path shared;

    private static Path dataset;

    @BeforeAll
    static void extractOnce() throws Exception {
        dataset = TrainFixtures.extract(shared);
    }

    /** Masked: 3 of 16 patches seen, 2 clones; batch 4 samples = 2 rows; a decoder of 2 blocks, 16 groups. */
    private static List<String> masked(Path run, String... extra) {
        List<String> o = new java.util.ArrayList<>(TrainFixtures.overrides(
                dataset, run, "student.mask.enabled=true", "student.mask.clones=2", "student.mask.decoder.layers=2"));
        o.addAll(List.of(extra));
        return o;
    }

    private static List<MetricsRecord> metrics(Path run) throws Exception {
        var fs = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        return io.distillery.metrics.MetricsFile.read(
                fs,
                new org.apache.hadoop.fs.Path(
                        run.resolve(io.distillery.metrics.MetricsFile.NAME).toUri()));
    }

    private static List<String> checkpoints(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMaskedStudentTrainsCountsRowsAndExportsThePlainEncoder(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainSummary summary = TrainJob.run(SPARK, TrainFixtures.settings(masked(run)), false);
        assertThat(summary.iteration()).isEqualTo(16);

        // 32 rows x 2 clones = 64 samples per epoch; a round is 2 workers x 4 samples x 2 iterations = 16 samples
        List<MetricsRecord> m = metrics(run);
        assertThat(m).hasSize(8);
        assertThat(m.get(0).epoch()).isZero();
        assertThat(m.get(7).epoch()).as("64 samples per epoch, 128 trained").isGreaterThanOrEqualTo(1);
        for (MetricsRecord r : m) {
            assertThat(r.rowsPerSecond())
                    .isCloseTo(r.imagesPerSecond() / 2, org.assertj.core.api.Assertions.within(1e-9));
        }
        double first = (m.get(0).loss() + m.get(1).loss()) / 2;
        double last = (m.get(6).loss() + m.get(7).loss()) / 2;
        // measured 9.83 -> 8.39: the decoder starts from random weights, and predicting zeros would score 8 here
        // (targets are layer-normed: sum_d t^2 / sqrt(64) = 8 per token), so 16 iterations move it less than the
        // unmasked student's head
        assertThat(last).as("loss of the last two rounds vs the first two").isLessThan(0.9 * first);
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl")).get(0)).contains("\"rows_per_second\":");
        assertThat(checkpoints(run)).containsExactly("iter-00000012", "iter-00000016");

        // the training graph (model.zip) is masked and keeps its decoder ...
        Path studentDir = run.resolve("student");
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                studentDir.resolve("model.zip").toFile(), true);
        assertThat(model.getConfiguration().getNetworkInputs())
                .containsExactly("pixels", MaskedStudentGraph.MASK_INPUT);
        assertThat(model.getConfiguration().getVertices()).containsKey(MaskedStudentGraph.DECODER);

        // ... the export is the encoder alone, under the keys of an unmasked student's export, and runs unmasked
        ModelConfig config = ModelConfigs.fromJson(studentDir.resolve("config.json"));
        Encoder exported = EncoderLoader.load(config, studentDir.resolve("student.safetensors"));
        INDArray input = ParityFiles.array("input");
        INDArray fromModel = StudentWeights.toEncoder(model, config)
                .forward(input)
                .blockOutputs()
                .get(1);
        assertThat(exported.forward(input).blockOutputs().get(1)).isEqualTo(fromModel);
        assertThat(fromModel.shape()).containsExactly(input.size(0), 17, 64);
        assertThat(Files.exists(studentDir.resolve("projection.safetensors"))).isFalse();
        try (var weights = SafetensorsFile.open(studentDir.resolve("student.safetensors"))) {
            assertThat(weights.names()).isEqualTo(unmaskedExportKeys(config, dir));
            assertThat(weights.names()).noneMatch(k -> k.startsWith("decoder"));
            assertThat(weights.metadata())
                    .containsEntry(
                            "distillery.student.mask",
                            "inverse-block ratio 0.8 block-size 3 prob-adjust 0.07 clones 2; decoder dim 0 layers 2"
                                    + " kernel 3 groups 16 mask-noise-std 0.01")
                    .doesNotContainKey("distillery.student.top-k");
        }
        var record = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(run.resolve("run.json").toFile());
        assertThat(record.at("/config/distillery/train/student/mask/enabled").asBoolean())
                .isTrue();
    }

    /** The tensor names of an unmasked student of {@code config} as the train job exports it. */
    private static List<String> unmaskedExportKeys(ModelConfig config, Path dir) throws Exception {
        ComputationGraph unmasked = StudentGraph.create(
                config,
                new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, config.depth(), 1e-5),
                64,
                new Optimization(1e-3, 1e-5, 1, 2, 0.05, 0.9, 0.95, 0, 0),
                DataType.FLOAT);
        Path file = dir.resolve("unmasked.safetensors");
        EncoderExport.write(
                StudentWeights.toEncoder(unmasked, config), file, io.distillery.checkpoint.DType.F32, Map.of());
        try (var weights = SafetensorsFile.open(file)) {
            return weights.names();
        }
    }

    @Test
    void aResumedMaskedRunContinuesAndRefusesOtherMaskSizes(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainJob.run(SPARK, TrainFixtures.settings(masked(run, "iterations=8")), false);
        assertThat(checkpoints(run)).containsExactly("iter-00000004", "iter-00000008");

        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, TrainFixtures.settings(masked(run, "iterations=12", "student.mask.ratio=0.75")), true))
                .hasMessageContaining("holds a masked student that keeps 3 of 16 patches")
                .hasMessageContaining("but student.mask now keeps 4")
                .hasMessageContaining("use a new run-dir");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=12")), true))
                .hasMessageContaining("use a new run-dir for a different model");

        TrainSummary resumed = TrainJob.run(SPARK, TrainFixtures.settings(masked(run, "iterations=12")), true);
        assertThat(resumed.resumedFromIteration()).isEqualTo(8);
        assertThat(resumed.iteration()).isEqualTo(12);
        assertThat(metrics(run)).extracting(MetricsRecord::iteration).containsExactly(2, 4, 6, 8, 10, 12);
        assertThat(checkpoints(run)).containsExactly("iter-00000008", "iter-00000012");
    }

    @Test
    void maskSettingsAreCheckedNamingTheirKeys(@TempDir Path dir) {
        Path run = dir.resolve("run");
        String p = "distillery.train.student.mask.";
        assertThat(StudentMaskSettings.from(
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run))
                                .source(),
                        "distillery.train"))
                .as("off by default")
                .isNull();
        Map<String, String> wrong = Map.of(
                "student.mask.ratio=1.5", p + "ratio must be in (0, 1), got 1.5",
                "student.mask.kind=squares", p + "kind 'squares' is not one of [inverse-block, random]",
                "student.mask.block-size=1", p + "block-size must be at least 2 for inverse-block masks, got 1",
                "student.mask.clones=0", p + "clones must be at least 1, got 0",
                "student.mask.decoder.layers=0", p + "decoder.layers must be >= 1, got 0",
                "student.mask.decoder.mask-noise-std=-1",
                        p + "decoder.mask-noise-std must be a finite number >= 0," + " got -1.0");
        wrong.forEach((setting, message) -> assertThatThrownBy(() -> StudentMaskSettings.from(
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run, setting))
                                .source(),
                        "distillery.train"))
                .as(setting)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message));
        assertThatThrownBy(() -> StudentMaskSettings.from(
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "student.mask.ratio=lots"))
                                .source(),
                        "distillery.train"))
                .hasMessageStartingWith("distillery.train: ")
                .hasMessageContaining("student.mask.ratio");

        // against the student and the job (before anything is written)
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(masked(run, "parameter-averaging.batch-size-per-worker=3")),
                        false))
                .hasMessage("distillery.train.parameter-averaging.batch-size-per-worker is 3 but must be a multiple of "
                        + p + "clones (2): a batch counts examples, rows x clones, and holds whole rows");
        assertThatThrownBy(() -> TrainJob.run(SPARK, TrainFixtures.settings(masked(run, "target.top-k=1")), false))
                .hasMessageStartingWith("distillery.train.target.top-k is 1 but a masked student");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, TrainFixtures.settings(masked(run, "student.mask.decoder.groups=3")), false))
                .hasMessage(p + "decoder.groups 3 must divide the student's embed_dim 64 and the decoder width 64");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(masked(
                                run,
                                "student.model=\"" + ParityFiles.root().resolve("teacher_beitv2/config.json") + "\"")),
                        false))
                .hasMessageStartingWith(p + "enabled = true needs a data2vec2 student");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(masked(run, "losses=[{type=d2v}, {type=ce}]", "student.num-classes=3")),
                        false))
                .hasMessage("distillery.train.losses[1] (ce): a masked student (" + p + "enabled = true) trains the"
                        + " d2v loss only; drop the term or turn masking off");
        assertThat(Files.exists(run.resolve("run.json"))).isFalse();
    }
}
