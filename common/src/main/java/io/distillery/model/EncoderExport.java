package io.distillery.model;

import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.provenance.BuildInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes an encoder as a timm-named safetensors checkpoint (atomically), so PyTorch code can load it with
 * {@code load_state_dict}. The {@code __metadata__} records how it was made.
 */
public final class EncoderExport {
    private EncoderExport() {}

    /** @param provenance extra metadata (e.g. training run id, source checkpoint); may be empty */
    public static void write(Encoder encoder, Path target, DType dtype, Map<String, String> provenance)
            throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, INDArray> e : EncoderWeights.export(encoder).entrySet()) {
            writer.addArray(e.getKey(), e.getValue(), dtype);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("distillery.model", encoder.config().toString());
        BuildInfo.versions().forEach((k, v) -> metadata.put("distillery.version." + k, v));
        metadata.put("distillery.created", Instant.now().toString());
        metadata.putAll(provenance);
        writer.metadata(metadata).write(target);
    }
}
