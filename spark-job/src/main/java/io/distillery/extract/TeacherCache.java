package io.distillery.extract;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.EncoderPool;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One frozen teacher per executor JVM, loaded on first use from a path every executor can read (local file or
 * any Hadoop filesystem; remote files are copied to local disk once, since checkpoints are memory-mapped by
 * position). Tasks never carry the weights in their closures. The teacher is lent through an {@link EncoderPool},
 * so concurrent tasks each run their own replica on the shared weights.
 */
public final class TeacherCache {
    private static final Logger LOG = LoggerFactory.getLogger(TeacherCache.class);
    private static final Map<String, EncoderPool> TEACHERS = new ConcurrentHashMap<>();

    private TeacherCache() {
    }

    /** The pool of one model, with as many copies as tasks use it at once. */
    public static EncoderPool get(String model, String checkpoint, Configuration conf) {
        return get(model, checkpoint, EncoderPool.ONE_PER_THREAD, conf);
    }

    /** @param maxCopies the most copies run at once ({@link EncoderPool#ONE_PER_THREAD}: one per running task) */
    public static EncoderPool get(String model, String checkpoint, int maxCopies, Configuration conf) {
        return TEACHERS.computeIfAbsent(model + "|" + checkpoint + "|" + maxCopies,
                key -> new EncoderPool(load(model, checkpoint, conf), maxCopies));
    }

    private static Encoder load(String model, String checkpoint, Configuration conf) {
        try {
            long start = System.nanoTime();
            ModelConfig config = config(model, conf);
            Encoder encoder = EncoderLoader.load(config, localCopy(checkpoint, conf));
            LOG.info("teacher {} loaded in {} ms", checkpoint, (System.nanoTime() - start) / 1_000_000);
            return encoder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot load teacher " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** A model config from a preset name or a config.json on any Hadoop filesystem. */
    public static ModelConfig config(String presetOrPath, Configuration conf) throws IOException {
        ModelConfig preset = ModelConfigs.presets().get(presetOrPath);
        return preset != null ? preset : ModelConfigs.fromJson(localCopy(presetOrPath, conf));
    }

    /** The file itself when it is local, else a copy in the JVM's temp folder. */
    public static java.nio.file.Path localCopy(String uri, Configuration conf) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(conf);
        if ("file".equals(fs.getScheme())) {
            java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(path).toUri());
            if (!Files.isRegularFile(local)) {
                throw new IllegalArgumentException("model file " + uri + " does not exist"); // teacher, student or config
            }
            return local;
        }
        java.nio.file.Path dir = Files.createTempDirectory("distillery-teacher");
        java.nio.file.Path local = dir.resolve(path.getName());
        fs.copyToLocalFile(false, path, new Path(local.toUri()), true);
        local.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return local;
    }
}
