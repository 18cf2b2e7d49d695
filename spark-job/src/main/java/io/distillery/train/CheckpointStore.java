package io.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.spark.AtomicHadoopFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of a run under {@code <run>/checkpoints/iter-NNNNNNNN/}: the DL4J model with its updater state
 * ({@code model.zip}) and the {@link TrainingState} ({@code state.json}). Each is written into a temporary folder
 * and renamed, so a folder with the final name is always complete; only the newest {@code keep} are kept.
 */
final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("iter-(\\d{8})");
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";

    private final FileSystem fs;
    private final Path dir;
    private final int keep;
    private final ObjectMapper json = new ObjectMapper();

    /** A saved checkpoint. */
    record Checkpoint(Path dir, TrainingState state) {}

    CheckpointStore(FileSystem fs, Path runDir, int keep) {
        this.fs = fs;
        this.dir = new Path(runDir, "checkpoints");
        this.keep = keep;
    }

    Path dir() {
        return dir;
    }

    Checkpoint save(ComputationGraph network, TrainingState state) throws IOException {
        String name = String.format(Locale.ROOT, "iter-%08d", state.iteration());
        Path target = new Path(dir, name);
        if (fs.exists(target)) {
            return new Checkpoint(target, state); // this iteration is already saved (a run resumed from it)
        }
        Path tmp = new Path(dir, "_tmp-" + name + "-" + System.nanoTime());
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, MODEL), false)) {
            ModelSerializer.writeModel(network, out, true);
        }
        try (OutputStream out = fs.create(new Path(tmp, STATE), false)) {
            json.writerWithDefaultPrettyPrinter().writeValue(out, state);
        }
        AtomicHadoopFiles.publish(fs, tmp, target);
        LOG.info("checkpoint {} (iteration {}, loss {})", target, state.iteration(), state.loss());
        prune();
        return new Checkpoint(target, state);
    }

    /** The newest complete checkpoint, if any. */
    Optional<Checkpoint> newest() throws IOException {
        for (Path candidate : complete()) {
            try (InputStream in = fs.open(new Path(candidate, STATE))) {
                return Optional.of(new Checkpoint(candidate, json.readValue(in, TrainingState.class)));
            } catch (IOException e) {
                throw new IOException(candidate + "/" + STATE + ": unreadable checkpoint state: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    ComputationGraph load(Checkpoint checkpoint) throws IOException {
        try (InputStream in = fs.open(new Path(checkpoint.dir(), MODEL))) {
            return ModelSerializer.restoreComputationGraph(in, true);
        } catch (IOException | RuntimeException e) {
            throw new IOException(checkpoint.dir() + "/" + MODEL + ": cannot restore the model: " + e.getMessage(), e);
        }
    }

    /** Complete checkpoint folders, newest first. */
    private List<Path> complete() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!fs.exists(dir)) {
            return found;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(status.getPath().getName());
            if (status.isDirectory()
                    && m.matches()
                    && fs.exists(new Path(status.getPath(), STATE))
                    && fs.exists(new Path(status.getPath(), MODEL))) {
                found.add(status.getPath());
            }
        }
        found.sort(Comparator.comparing((Path p) -> p.getName()).reversed());
        return found;
    }

    private void prune() throws IOException {
        List<Path> all = complete();
        for (int i = keep; i < all.size(); i++) {
            fs.delete(all.get(i), true);
        }
        for (FileStatus status : fs.listStatus(dir)) {
            if (status.getPath().getName().startsWith("_tmp-")) {
                fs.delete(status.getPath(), true); // left by a crash while saving
            }
        }
    }
}
