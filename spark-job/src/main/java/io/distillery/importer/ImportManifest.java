package io.distillery.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code import.json}, written last and atomically by {@link WebDatasetImporter}: a folder holding it is a complete
 * import; shards without it are the leftovers of an import that failed or was killed. It records what was imported
 * (source files and their SHA-256, counts, classes) and every shard with its SHA-256.
 */
public final class ImportManifest {
    /** The manifest's file name. */
    public static final String FILE = "import.json";
    /** Version of the manifest's layout; readers check it. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ImportManifest() {}

    /** Whether {@code dir} holds a complete import. */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Reads the manifest of a complete import. */
    public static JsonNode read(Path dir) throws IOException {
        JsonNode manifest = JSON.readTree(dir.resolve(FILE).toFile());
        int version = manifest.path("format_version").asInt(-1);
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException(dir.resolve(FILE) + ": found format_version " + manifest.path("format_version")
                    + ", this build reads 1.." + FORMAT_VERSION);
        }
        return manifest;
    }

    /** The shard names the manifest in {@code dir} lists (to replace that import). */
    static List<String> shardNames(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode manifest;
        try {
            manifest = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(
                    file + " is unreadable (" + e.getOriginalMessage() + "); remove the folder to replace the import",
                    e);
        }
        List<String> names = new ArrayList<>();
        for (JsonNode shard : manifest.path("shards")) {
            names.add(shard.path("name").asText());
        }
        return names;
    }

    /** Writes {@code manifest} to a temporary file, syncs it and renames it to {@link #FILE}. */
    static void write(Path dir, Map<String, Object> manifest) throws IOException {
        AtomicFiles.write(dir.resolve(FILE), out -> JSON.writeValue(out, manifest));
    }
}
