package io.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderExport;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.student.StudentWeights;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The final student of a run, in {@code <run>/student/}: {@code model.zip} (the DL4J training graph with updater,
 * projection included), {@code student.safetensors} (encoder tensors under timm / data2vec names, loadable by
 * {@code distillery forward} and timm), {@code projection.safetensors} (W_h, only when the widths differ) and
 * {@code config.json}. Files are written into a temporary folder that is renamed last.
 */
final class RunOutputs {
    static final String STUDENT = "student";
    static final String SAFETENSORS = "student.safetensors";
    static final String PROJECTION = "projection.safetensors";
    static final String CONFIG = "config.json";
    static final String MODEL = "model.zip";

    private RunOutputs() {
    }

    static Path write(FileSystem fs, Path runDir, ComputationGraph training, ModelConfig config,
                      Map<String, String> provenance) throws IOException {
        Path target = new Path(runDir, STUDENT);
        Path tmp = new Path(runDir, "_tmp-" + STUDENT + "-" + System.nanoTime());
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, MODEL), false)) {
            ModelSerializer.writeModel(training, out, true);
        }
        java.nio.file.Path local = Files.createTempDirectory("distillery-export");
        try {
            Encoder encoder = StudentWeights.toEncoder(training, config);
            EncoderExport.write(encoder, local.resolve(SAFETENSORS), DType.F32, provenance);
            fs.copyFromLocalFile(new Path(local.resolve(SAFETENSORS).toUri()), new Path(tmp, SAFETENSORS));
            Map<String, INDArray> projection = StudentWeights.projection(training);
            if (!projection.isEmpty()) {
                SafetensorsWriter writer = new SafetensorsWriter();
                projection.forEach((name, tensor) -> writer.addArray(name, tensor, DType.F32));
                writer.metadata(Map.of("format", "pt")).write(local.resolve(PROJECTION));
                fs.copyFromLocalFile(new Path(local.resolve(PROJECTION).toUri()), new Path(tmp, PROJECTION));
            }
        } finally {
            try (var files = Files.walk(local)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (OutputStream out = fs.create(new Path(tmp, CONFIG), false)) {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out, ModelConfigs.toJsonMap(config));
        }
        if (fs.exists(target)) {
            fs.delete(target, true); // an earlier, shorter run's export: the new one is complete in tmp
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
        return target;
    }
}
