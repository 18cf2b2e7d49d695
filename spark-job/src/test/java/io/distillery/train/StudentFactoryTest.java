package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.PoolingHead;
import io.distillery.npy.ParityFiles;
import io.distillery.student.ClassifierGraph;
import io.distillery.student.StudentGraph;
import io.distillery.student.StudentWeights;
import io.distillery.targets.TargetRecipe;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Student config resolution and initialisation from chosen blocks of a pretrained checkpoint. */
class StudentFactoryTest {
    private static final Path WEIGHTS = ParityFiles.file("student_d2v2/weights.safetensors");

    @Test
    void inheritsTheChosenBlocksAndEmbeddings() {
        TrainSettings s = settings("student.init-checkpoint=\"" + WEIGHTS + "\"", "student.init-blocks=[0, 2]");
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        assertThat(student.depth()).isEqualTo(2);
        ComputationGraph net =
                StudentGraph.create(student, TargetRecipe.defaults(2), 64, s.optimization(), DataType.FLOAT);
        StudentFactory.initialise(s, student, net, new org.apache.hadoop.conf.Configuration());
        Map<String, INDArray> source = EncoderLoader.readTensors(WEIGHTS);
        INDArray fc1 = net.getLayer("blocks.1.mlp").getParam("fc1W");
        assertThat(fc1).isEqualTo(source.get("blocks.2.mlp.fc1.weight"));
        assertThat(net.getLayer("blocks.0.mlp").getParam("fc1W")).isEqualTo(source.get("blocks.0.mlp.fc1.weight"));
        assertThat(net.getLayer("embed").getParam("projW")).isEqualTo(source.get("patch_embed.proj.weight"));
    }

    @Test
    void initHeadTakesTheCheckpointsFcNormAndClassifier(@TempDir Path dir) throws Exception {
        TrainFixtures.classifierTeacher(dir);
        Path weights = dir.resolve("teacher-3-classes.safetensors");
        TrainSettings s = headSettings(dir);
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        ComputationGraph net = ClassifierGraph.create(student, 3, s.optimization(), DataType.FLOAT);
        StudentFactory.initialise(s, student, net, new org.apache.hadoop.conf.Configuration());
        Map<String, INDArray> source = EncoderLoader.readTensors(weights);
        assertThat(net.getLayer(ClassifierGraph.HEAD).getParam("W"))
                .isEqualTo(source.get("head.weight").transpose());
        assertThat(net.getLayer(ClassifierGraph.HEAD).getParam("b").reshape(3)).isEqualTo(source.get("head.bias"));
        assertThat(net.getLayer(ClassifierGraph.POOL).getParam("normW").reshape(64))
                .isEqualTo(source.get("fc_norm.weight"));
        assertThat(net.getLayer(ClassifierGraph.POOL).getParam("normB").reshape(64))
                .isEqualTo(source.get("fc_norm.bias"));
        assertThat(net.getLayer("blocks.1.mlp").getParam("fc1W")).isEqualTo(source.get("blocks.3.mlp.fc1.weight"));
    }

    @Test
    void initHeadRefusesAnotherClassCount(@TempDir Path dir) throws Exception {
        TrainFixtures.classifierTeacher(dir);
        TrainSettings s = headSettings(dir);
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        ComputationGraph net = ClassifierGraph.create(student, 5, s.optimization(), DataType.FLOAT);
        assertThatThrownBy(() -> StudentFactory.initialise(s, student, net, new org.apache.hadoop.conf.Configuration()))
                .hasMessageContaining("distillery.train.student.init-head")
                .hasMessageContaining("head.weight is [3, 64]")
                .hasMessageContaining("5 classes");
    }

    @Test
    void initHeadNeedsACheckpointWithAHeadAndAStudentWithOne() {
        TrainSettings s = settings("student.init-checkpoint=\"" + WEIGHTS + "\"", "student.init-head=true");
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        ComputationGraph classifier = ClassifierGraph.create(student, 3, s.optimization(), DataType.FLOAT);
        assertThatThrownBy(() ->
                        StudentFactory.initialise(s, student, classifier, new org.apache.hadoop.conf.Configuration()))
                .hasMessageContaining("has no fc_norm and classifier head");
        ComputationGraph d2vOnly =
                StudentGraph.create(student, TargetRecipe.defaults(2), 64, s.optimization(), DataType.FLOAT);
        PoolingHead head = new PoolingHead(
                Nd4j.ones(DataType.FLOAT, 64),
                Nd4j.zeros(DataType.FLOAT, 64),
                Nd4j.ones(DataType.FLOAT, 3, 64),
                Nd4j.zeros(DataType.FLOAT, 3),
                1e-6);
        assertThatThrownBy(() -> StudentWeights.copyHead(head, d2vOnly, "init-head"))
                .hasMessageContaining("the student has no classifier head");
        assertThatThrownBy(() -> settings("student.init-head=true"))
                .hasMessageContaining("student.init-head = true needs student.init-checkpoint");
    }

    /** Train settings for the parity student with {@code extra} overrides (dataset and run dir unused here). */
    private static TrainSettings settings(String... extra) {
        return TrainFixtures.settings(TrainFixtures.overrides(Path.of("ds"), Path.of("run"), extra));
    }

    private static TrainSettings headSettings(Path dir) {
        return settings(
                "student.model=\"" + dir.resolve("teacher-3-classes.json") + "\"",
                "student.init-checkpoint=\"" + dir.resolve("teacher-3-classes.safetensors") + "\"",
                "student.init-blocks=[0, 3]",
                "student.init-head=true");
    }

    @Test
    void aBlockOutsideTheCheckpointIsNamed() {
        TrainSettings s = settings("student.init-checkpoint=\"" + WEIGHTS + "\"", "student.init-blocks=[0, 5]");
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        ComputationGraph net =
                StudentGraph.create(student, TargetRecipe.defaults(2), 64, s.optimization(), DataType.FLOAT);
        assertThatThrownBy(() -> StudentFactory.initialise(s, student, net, new org.apache.hadoop.conf.Configuration()))
                .hasMessageContaining("inherited block 5 is outside the source's 0..2");
    }
}
