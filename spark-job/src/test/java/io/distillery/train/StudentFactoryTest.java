package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.npy.ParityFiles;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Student config resolution and initialisation from chosen blocks of a pretrained checkpoint. */
class StudentFactoryTest {
    private static final Path WEIGHTS = ParityFiles.file("student_d2v2/weights.safetensors");

    @Test
    void inheritsTheChosenBlocksAndEmbeddings() {
        TrainSettings s = TrainFixtures.settings(TrainFixtures.overrides(
                Path.of("ds"),
                Path.of("run"),
                "student.init-checkpoint=\"" + WEIGHTS + "\"",
                "student.init-blocks=[0, 2]"));
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
    void aBlockOutsideTheCheckpointIsNamed() {
        TrainSettings s = TrainFixtures.settings(TrainFixtures.overrides(
                Path.of("ds"),
                Path.of("run"),
                "student.init-checkpoint=\"" + WEIGHTS + "\"",
                "student.init-blocks=[0, 5]"));
        ModelConfig student = StudentFactory.config(s, new org.apache.hadoop.conf.Configuration());
        ComputationGraph net =
                StudentGraph.create(student, TargetRecipe.defaults(2), 64, s.optimization(), DataType.FLOAT);
        assertThatThrownBy(() -> StudentFactory.initialise(s, student, net, new org.apache.hadoop.conf.Configuration()))
                .hasMessageContaining("inherited block 5 is outside the source's 0..2");
    }
}
