package io.distillery.train;

import io.distillery.model.Encoder;
import io.distillery.model.ModelConfig;
import io.distillery.student.ClassifierGraph;
import io.distillery.student.StudentWeights;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The final student of a run, in {@code <run>/student/}: {@code model.zip} (the DL4J training graph with updater,
 * projection included), {@code student.safetensors} (encoder tensors under timm / data2vec names, loadable by
 * {@code distillery forward} and timm; with the classifier head when logit losses trained one),
 * {@code projection.safetensors} (W_h, only when the widths differ) and
 * {@code config.json}, written as one {@link ModelFolder}.
 */
final class RunOutputs {
    static final String STUDENT = "student";
    static final String SAFETENSORS = "student.safetensors";
    static final String PROJECTION = "projection.safetensors";
    static final String CONFIG = ModelFolder.CONFIG;
    static final String MODEL = ModelFolder.MODEL;

    private RunOutputs() {}

    static Path write(
            FileSystem fs, Path runDir, ComputationGraph training, ModelConfig config, Map<String, String> provenance)
            throws IOException {
        Map<String, INDArray> projection = StudentWeights.projection(training);
        return ModelFolder.write(
                fs,
                runDir,
                STUDENT,
                training,
                encoder(training, config),
                SAFETENSORS,
                provenance,
                projection.isEmpty() ? Map.of() : Map.of(PROJECTION, projection));
    }

    /**
     * The encoder to export; with a classifier head (logit losses) also its {@code fc_norm} and {@code head}, so the
     * distilled student is a timm classifier ({@code num_classes} in its config.json).
     */
    private static Encoder encoder(ComputationGraph training, ModelConfig config) {
        return training.getConfiguration().getVertices().containsKey(ClassifierGraph.HEAD)
                ? ClassifierGraph.toEncoder(training, config)
                : StudentWeights.toEncoder(training, config);
    }
}
