package io.distillery.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.files.AtomicFiles;
import io.distillery.npy.NpyWriter;
import io.distillery.numerics.FiniteValues;
import io.distillery.provenance.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output folder of {@code distillery forward} (images and texts): float32 {@code .npy} arrays and a
 * {@code manifest.json} written last and atomically, so a folder with a manifest is complete and one without is a
 * partial output. An existing complete output is replaced only when asked ({@code --overwrite}).
 */
final class DumpFolder {
    static final String MANIFEST = "manifest.json";

    private DumpFolder() {}

    /** Refuses an {@code --out} that is a file, or that holds a complete output unless {@code overwrite}. */
    static void check(Path out, boolean overwrite) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder (it is created if missing)");
        }
        if (Files.exists(out.resolve(MANIFEST)) && !overwrite) {
            throw new IllegalArgumentException(
                    "--out " + out + " already holds a complete output; pass --overwrite to replace it");
        }
    }

    /**
     * Refuses every array holding NaN or Inf before anything is written, naming the array and the first input (row
     * of the leading dimension) it hits.
     *
     * @param input names row {@code i}, e.g. {@code image img_0.png} or {@code text line 3}
     */
    static void requireFinite(Path weights, Path out, Map<String, INDArray> arrays, IntFunction<String> input) {
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray array = e.getValue();
            if (FiniteValues.allFinite(array)) {
                continue;
            }
            int row = 0;
            while (row < array.size(0) - 1 && FiniteValues.allFinite(array.slice(row))) {
                row++;
            }
            throw new IllegalArgumentException(weights + ": output " + e.getKey() + ".npy holds NaN or Inf values"
                    + " (first for " + input.apply(row) + "); nothing was written to " + out);
        }
    }

    /**
     * Writes {@code <name>.npy} (float32) for every array, after removing an earlier manifest (from then on the
     * folder is partial until {@link #writeManifest} lands), and returns each file's shape.
     */
    static Map<String, long[]> writeArrays(Path out, Map<String, INDArray> arrays) throws IOException {
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve(MANIFEST));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            NpyWriter.write(out.resolve(e.getKey() + ".npy"), e.getValue());
            shapes.put(e.getKey() + ".npy", e.getValue().shape());
        }
        return shapes;
    }

    /** Writes {@code manifest} plus the arrays' shapes, their dtype, the build's versions and the time, atomically. */
    static void writeManifest(Path out, Map<String, Object> manifest, Map<String, long[]> arrays) throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(manifest);
        all.put("arrays", arrays);
        all.put("dtype", "float32");
        all.put("versions", BuildInfo.versions());
        all.put("created", Instant.now().toString());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(out.resolve(MANIFEST), stream -> json.writeValue(stream, all));
    }
}
