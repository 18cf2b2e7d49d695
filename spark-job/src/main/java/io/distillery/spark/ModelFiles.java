package io.distillery.spark;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Model configs and checkpoints on any Hadoop filesystem, as local files: checkpoints are memory-mapped by
 * position, so a remote file is copied to local disk once.
 */
public final class ModelFiles {
    private ModelFiles() {}

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
            java.nio.file.Path local =
                    java.nio.file.Path.of(fs.makeQualified(path).toUri());
            if (!Files.isRegularFile(local)) {
                throw new IllegalArgumentException(
                        "model file " + uri + " does not exist"); // teacher, student or config
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
