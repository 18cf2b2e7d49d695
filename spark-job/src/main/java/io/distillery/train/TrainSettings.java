package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.student.Optimization;
import io.distillery.targets.TargetTokens;
import java.util.List;
import java.util.Locale;

/**
 * The validated settings of a {@code train} or {@code finetune} job (see reference.conf for meanings and defaults).
 *
 * @param section        the config section the values came from (for error messages)
 * @param dataset        feature dataset path (input; finetune may read images instead)
 * @param runDir         checkpoints, metrics and the final student (any Hadoop filesystem)
 * @param studentModel   preset or config.json of the student (depth may be overridden)
 * @param studentDepth   0 = as the model says
 * @param initCheckpoint pretrained safetensors to initialise from; null = random init
 * @param initBlocks     0-based blocks of the checkpoint the student inherits, in order; empty = the first depth
 * @param initHead       also take the checkpoint's fc_norm and classifier head
 * @param tokens         target tokens the job expects (checked against the dataset)
 * @param topK           student blocks averaged (0 = all)
 * @param iterations     iteration budget (DL4J's per-worker iteration counter)
 * @param source         the resolved section these settings were read from, every key (recorded in run.json)
 */
public record TrainSettings(
        String section,
        String dataset,
        String runDir,
        String studentModel,
        int studentDepth,
        String initCheckpoint,
        List<Integer> initBlocks,
        boolean initHead,
        TargetTokens tokens,
        int topK,
        Optimization optimization,
        int iterations,
        Averaging averaging,
        int checkpointEvery,
        int checkpointKeep,
        String sparkMaster,
        String appName,
        Config source) {

    /**
     * dl4j-spark ParameterAveragingTrainingMaster knobs.
     *
     * @param workers        0 = Spark's default parallelism
     * @param approach       how batches reach the workers
     */
    public record Averaging(
            int batchSizePerWorker,
            int averagingFrequency,
            int workers,
            int prefetchBatches,
            int aggregationDepth,
            boolean averageUpdaters,
            Approach approach) {}

    /**
     * dl4j-spark's RDD training approaches: EXPORT writes the batches once to files (a filesystem every executor can
     * read) and reuses them every epoch; DIRECT keeps them in Spark's block manager. AUTO takes EXPORT where
     * dl4j-spark supports it (a local master of the form local / local[N] / local[*], or a non-local default
     * filesystem such as HDFS) and DIRECT otherwise.
     */
    public enum Approach {
        AUTO,
        EXPORT,
        DIRECT
    }

    public TrainSettings {
        initBlocks = List.copyOf(initBlocks);
        if (initHead && initCheckpoint == null) {
            throw new IllegalArgumentException(section + ".student.init-head = true needs student.init-checkpoint");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException(section + ".iterations must be >= 1, got " + iterations);
        }
        if (checkpointEvery < 1 || checkpointKeep < 1) {
            throw new IllegalArgumentException(section + ".checkpoint.every and .keep must be >= 1, got "
                    + checkpointEvery + " and " + checkpointKeep);
        }
        if (averaging.batchSizePerWorker() < 1
                || averaging.averagingFrequency() < 1
                || averaging.workers() < 0
                || averaging.prefetchBatches() < 0
                || averaging.aggregationDepth() < 1) {
            throw new IllegalArgumentException(section + ".parameter-averaging: sizes must be >= 1 (workers, prefetch"
                    + " >= 0), got " + averaging);
        }
    }

    /** Reads {@code section} (distillery.train or distillery.finetune); every error names the key. */
    public static TrainSettings from(Config c, String section) {
        SectionReader r = new SectionReader(c, section);
        try {
            Config o = c.getConfig("optimizer");
            int iterations = c.getInt("iterations");
            Optimization optimization = new Optimization(
                    o.getDouble("lr"),
                    o.getDouble("min-lr"),
                    o.getInt("warmup-iterations"),
                    iterations,
                    o.getDouble("weight-decay"),
                    o.getDouble("beta1"),
                    o.getDouble("beta2"),
                    o.getDouble("clip-norm"),
                    c.getLong("seed"));
            Config p = c.getConfig("parameter-averaging");
            String approach = p.getString("approach").toLowerCase(Locale.ROOT);
            TrainSettings.Approach chosen = switch (approach) {
                case "auto" -> Approach.AUTO;
                case "export" -> Approach.EXPORT;
                case "direct" -> Approach.DIRECT;
                default ->
                    throw new IllegalArgumentException(section
                            + ".parameter-averaging.approach must be auto, export or direct, got '" + approach + "'");
            };
            Averaging averaging = new Averaging(
                    p.getInt("batch-size-per-worker"),
                    p.getInt("averaging-frequency"),
                    p.getInt("workers"),
                    p.getInt("prefetch-batches"),
                    p.getInt("aggregation-depth"),
                    p.getBoolean("average-updaters"),
                    chosen);
            return new TrainSettings(
                    section,
                    r.optional("dataset"),
                    r.required("run-dir"),
                    r.required("student.model"),
                    c.getInt("student.depth"),
                    r.optional("student.init-checkpoint"),
                    c.getIntList("student.init-blocks"),
                    c.getBoolean("student.init-head"),
                    r.enumOf(TargetTokens.class, "target.tokens"),
                    r.countOrAll("target.top-k"),
                    optimization,
                    iterations,
                    averaging,
                    c.getInt("checkpoint.every"),
                    c.getInt("checkpoint.keep"),
                    c.getString("spark.master"),
                    c.getString("spark.app-name"),
                    c);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(section + ": " + e.getMessage(), e);
        }
    }
}
