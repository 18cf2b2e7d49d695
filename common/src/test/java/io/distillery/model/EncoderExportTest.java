package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Export to safetensors and back gives the same model; a random-init and an inherited student export too. */
class EncoderExportTest {
    private static final ModelConfig STUDENT = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));

    @Test
    void exportedCheckpointReloadsToTheSameOutputs(@TempDir Path dir) throws Exception {
        Encoder original = EncoderLoader.load(STUDENT, ParityFiles.file("student_d2v2/weights.safetensors"));
        Path exported = dir.resolve("student.safetensors");
        EncoderExport.write(original, exported, DType.F32, Map.of("distillery.run", "test"));

        try (SafetensorsFile file = SafetensorsFile.open(exported);
                SafetensorsFile reference =
                        SafetensorsFile.open(ParityFiles.file("student_d2v2/weights.safetensors"))) {
            assertThat(file.names()).containsExactlyInAnyOrderElementsOf(reference.names());
            for (String name : reference.names()) {
                assertThat(file.info(name).shape())
                        .as(name)
                        .isEqualTo(reference.info(name).shape());
                assertThat(file.readBytes(name)).as(name).isEqualTo(reference.readBytes(name));
            }
            assertThat(file.metadata()).containsEntry("distillery.run", "test").containsKey("distillery.model");
        }
        INDArray images = ParityFiles.array("input");
        assertThat(EncoderLoader.load(STUDENT, exported).forward(images).lastBlockOutput())
                .isEqualTo(original.forward(images).lastBlockOutput());
    }

    @Test
    void randomStudentExportsAndReloads(@TempDir Path dir) throws Exception {
        ModelConfig shallow = STUDENT.withDepth(2);
        Encoder random = new Encoder(shallow, EncoderGraph.create(shallow, 11, DataType.FLOAT), null);
        Path out = dir.resolve("random.safetensors");
        EncoderExport.write(random, out, DType.F32, Map.of());
        INDArray images = ParityFiles.array("input");
        assertThat(EncoderLoader.load(shallow, out).forward(images).lastBlockOutput())
                .isEqualTo(random.forward(images).lastBlockOutput());
    }
}
