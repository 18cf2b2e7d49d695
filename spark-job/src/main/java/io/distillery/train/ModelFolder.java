package io.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderExport;
import io.distillery.model.ModelConfigs;
import io.distillery.spark.AtomicHadoopFiles;
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
 * A run's exported model folder on any Hadoop filesystem: {@code model.zip} (the DL4J training graph with its
 * updater), the encoder as timm-named safetensors, optional extra safetensors files, and {@code config.json}. All
 * of it is written into a temporary folder that is renamed last, so a reader never sees a partial folder.
 */
final class ModelFolder {
    static final String MODEL = "model.zip";
    static final String CONFIG = "config.json";

    private ModelFolder() {}

    /**
     * @param name        the folder's name under {@code runDir}; an earlier folder of that name is replaced
     * @param weightsName the encoder's safetensors file name
     * @param extras      more safetensors files: file name to tensors (e.g. the distillation projection)
     */
    static Path write(
            FileSystem fs,
            Path runDir,
            String name,
            ComputationGraph training,
            Encoder encoder,
            String weightsName,
            Map<String, String> provenance,
            Map<String, Map<String, INDArray>> extras)
            throws IOException {
        Path target = new Path(runDir, name);
        Path tmp = new Path(runDir, "_tmp-" + name + "-" + System.nanoTime());
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, MODEL), false)) {
            ModelSerializer.writeModel(training, out, true);
        }
        java.nio.file.Path local = Files.createTempDirectory("distillery-export");
        try {
            EncoderExport.write(encoder, local.resolve(weightsName), DType.F32, provenance);
            fs.copyFromLocalFile(new Path(local.resolve(weightsName).toUri()), new Path(tmp, weightsName));
            for (Map.Entry<String, Map<String, INDArray>> extra : extras.entrySet()) {
                SafetensorsWriter writer = new SafetensorsWriter();
                extra.getValue().forEach((tensor, values) -> writer.addArray(tensor, values, DType.F32));
                writer.metadata(Map.of("format", "pt")).write(local.resolve(extra.getKey()));
                fs.copyFromLocalFile(new Path(local.resolve(extra.getKey()).toUri()), new Path(tmp, extra.getKey()));
            }
        } finally {
            try (var files = Files.walk(local)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        try (OutputStream out = fs.create(new Path(tmp, CONFIG), false)) {
            new ObjectMapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(out, ModelConfigs.toJsonMap(encoder.config()));
        }
        AtomicHadoopFiles.replaceFolder(
                fs, tmp, target); // an earlier export is moved aside whole, not deleted in place
        return target;
    }

    /** Whether {@code runDir/name} holds a whole export: the training graph, the weights and the config. */
    static boolean complete(FileSystem fs, Path runDir, String name, String weightsName) throws IOException {
        Path dir = new Path(runDir, name);
        return fs.isFile(new Path(dir, MODEL))
                && fs.isFile(new Path(dir, weightsName))
                && fs.isFile(new Path(dir, CONFIG));
    }
}
