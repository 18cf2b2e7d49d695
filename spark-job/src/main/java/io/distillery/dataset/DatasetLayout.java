package io.distillery.dataset;

import org.apache.hadoop.fs.Path;

/**
 * Where things live in a feature dataset. Readers take {@code data/} (and {@code rejects/}) as plain Parquet;
 * Spark and most engines skip names starting with {@code _}, so temporary files and commit records in
 * {@code _tmp/} and {@code _distillery/} are never read as data.
 */
public final class DatasetLayout {
    public static final String DATA = "data";
    public static final String REJECTS = "rejects";
    public static final String META = "_distillery";
    public static final String TMP = "_tmp";
    public static final String DATASET_JSON = "dataset.json";

    private final Path root;

    public DatasetLayout(Path root) {
        this.root = root;
    }

    public DatasetLayout(String root) {
        this(new Path(root));
    }

    public Path root() {
        return root;
    }

    public Path dataDir() {
        return new Path(root, DATA);
    }

    public Path rejectsDir() {
        return new Path(root, REJECTS);
    }

    public Path dataFile(String shardId) {
        return new Path(dataDir(), shardId + ".parquet");
    }

    public Path rejectsFile(String shardId) {
        return new Path(rejectsDir(), shardId + ".parquet");
    }

    public Path commitsDir() {
        return new Path(new Path(root, META), "commits");
    }

    public Path commitRecord(String shardId) {
        return new Path(commitsDir(), shardId + ".json");
    }

    public Path datasetJson() {
        return new Path(new Path(root, META), DATASET_JSON);
    }

    /** The writer lock held by the extract run writing this dataset. */
    public Path writerLock() {
        return new Path(new Path(root, META), "writer.lock");
    }

    public Path tmpDir() {
        return new Path(root, TMP);
    }

    /** A temp file unique to one task attempt, so concurrent or retried attempts never share a file. */
    public Path tmpFile(String shardId, String attempt, String kind) {
        return new Path(tmpDir(), shardId + "." + attempt + "." + kind + ".parquet");
    }
}
