package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.ParityFiles;
import java.io.File;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The custom layers survive DL4J's JSON config and model zip, which Spark broadcast and checkpoints rely on. */
class EncoderSerializationTest {

    @Test
    void jsonAndZipRoundTripsKeepTheOutputs(@TempDir File dir) throws Exception {
        for (String model : new String[] {"teacher_beitv2", "student_d2v2"}) {
            ModelConfig config = ModelConfigs.fromJson(ParityFiles.file(model + "/config.json"));
            Encoder encoder = EncoderLoader.load(config, ParityFiles.file(model + "/weights.safetensors"));
            INDArray images = ParityFiles.array("input");
            INDArray expected = encoder.forward(images).lastBlockOutput();

            String json = encoder.graph().getConfiguration().toJson();
            ComputationGraph fromJson = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
            fromJson.init(encoder.graph().params().dup(), false);
            assertThat(new Encoder(config, fromJson, encoder.head())
                            .forward(images)
                            .lastBlockOutput())
                    .as(model + " via JSON")
                    .isEqualTo(expected);

            File zip = new File(dir, model + ".zip");
            ModelSerializer.writeModel(encoder.graph(), zip, false);
            ComputationGraph restored = ModelSerializer.restoreComputationGraph(zip, false);
            assertThat(new Encoder(config, restored, encoder.head())
                            .forward(images)
                            .lastBlockOutput())
                    .as(model + " via zip")
                    .isEqualTo(expected);
        }
    }
}
