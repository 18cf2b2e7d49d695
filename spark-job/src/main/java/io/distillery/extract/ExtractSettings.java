package io.distillery.extract;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.features.TensorDType;
import io.distillery.shards.InputOptions;
import io.distillery.shards.ShardFormat;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.io.Serializable;
import java.util.List;

/**
 * The validated settings of an extract job (see reference.conf for meanings and defaults). Small and
 * serialisable: this is all a task carries; the teacher itself is loaded on each executor.
 */
public record ExtractSettings(InputOptions input, String outputPath, String teacherModel, String teacherCheckpoint,
                              int teacherCopies,
                              TargetTensor targetTensor, TargetTokens targetTokens, int topK, double targetEps,
                              TensorDType targetDType, boolean storePixels, List<Integer> storeLayers, boolean storeCls,
                              boolean storePooled, boolean storeLogits, int randomViews, double evalCropPct,
                              double scaleMin, double scaleMax, double ratioMin, double ratioMax, boolean hflip,
                              long seed, int batchSize, double maxRejectFraction, long maxPixels, int maxSide,
                              long progressIntervalMillis, String sparkMaster, String appName) implements Serializable {

    /** topK value meaning "every block of the teacher". */
    public static final int ALL_BLOCKS = 0;

    public ExtractSettings {
        storeLayers = List.copyOf(storeLayers);
        if (batchSize < 1) {
            throw new IllegalArgumentException("distillery.extract.batch-size must be >= 1, got " + batchSize);
        }
        if (randomViews < 0) {
            throw new IllegalArgumentException("distillery.extract.views.random must be >= 0, got " + randomViews);
        }
        if (!(maxRejectFraction >= 0 && maxRejectFraction <= 1)) {
            throw new IllegalArgumentException("distillery.extract.max-reject-fraction must be within [0, 1], got "
                    + maxRejectFraction);
        }
        if (!(evalCropPct > 0 && evalCropPct <= 1)) {
            throw new IllegalArgumentException("distillery.extract.views.eval-crop-pct must be within (0, 1], got "
                    + evalCropPct);
        }
        if (teacherCopies < 0) {
            throw new IllegalArgumentException("distillery.extract.teacher.copies must be >= 0 (0 = one per running task), got "
                    + teacherCopies);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("distillery.extract.target.top-k must be 'all' or >= 1, got " + topK);
        }
        // checked here, on the driver: inside a task these would fail every shard with a trace
        if (!(targetEps > 0 && Double.isFinite(targetEps))) {
            throw new IllegalArgumentException("distillery.extract.target.eps must be a finite number > 0, got " + targetEps);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("distillery.extract.decode.max-pixels must be >= 1, got " + maxPixels);
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException("distillery.extract.decode.max-side must be >= 1, got " + maxSide);
        }
        if (progressIntervalMillis < 1) {
            throw new IllegalArgumentException("distillery.extract.progress-interval must be > 0, got "
                    + progressIntervalMillis + " ms");
        }
        io.distillery.spark.SparkMasters.check("distillery.extract.spark.master", sparkMaster);
        for (int layer : storeLayers) {
            if (layer < 1) {
                throw new IllegalArgumentException("distillery.extract.store.layers are 1-based block numbers, got " + layer);
            }
        }
    }

    /** Reads the {@code distillery.extract} section; every error names the key. */
    public static ExtractSettings from(Config c) {
        SectionReader r = new SectionReader(c, "distillery.extract");
        try {
            double[] scale = r.range("views.scale");
            double[] ratio = r.range("views.ratio");
            InputOptions input = new InputOptions(ShardFormat.fromConfig(c.getString("input.format")),
                    r.required("input.path"), c.getInt("input.files-per-shard"), c.getInt("input.row-groups-per-split"),
                    c.getString("input.image-column"), c.getString("input.key-column"),
                    c.getString("input.caption-column"), r.optional("input.label-column"));
            return new ExtractSettings(input, r.required("output.path"), c.getString("teacher.model"),
                    r.required("teacher.checkpoint"), c.getInt("teacher.copies"),
                    r.enumOf(TargetTensor.class, "target.tensor"),
                    r.enumOf(TargetTokens.class, "target.tokens"),
                    r.countOrAll("target.top-k"), c.getDouble("target.eps"),
                    TensorDType.fromId(c.getString("target.dtype")), c.getBoolean("store.pixels"),
                    c.getIntList("store.layers"), c.getBoolean("store.cls"), c.getBoolean("store.pooled"),
                    c.getBoolean("store.logits"), c.getInt("views.random"), c.getDouble("views.eval-crop-pct"),
                    scale[0], scale[1], ratio[0], ratio[1], c.getBoolean("views.hflip"), c.getLong("seed"), c.getInt("batch-size"),
                    c.getDouble("max-reject-fraction"), c.getLong("decode.max-pixels"), c.getInt("decode.max-side"),
                    c.getDuration("progress-interval").toMillis(), c.getString("spark.master"),
                    c.getString("spark.app-name"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("distillery.extract: " + e.getMessage(), e);
        }
    }

    /**
     * The same settings with every path made absolute and qualified (scheme and authority) on the driver, so that
     * executors, whose working directory is not the driver's, read and write the same files: a relative
     * {@code output.path} would otherwise land in each executor's own folder. Relative paths resolve like Hadoop
     * resolves them on the driver: against the working directory of {@code fs.defaultFS}.
     */
    public ExtractSettings withQualifiedPaths(org.apache.hadoop.conf.Configuration conf) {
        InputOptions in = new InputOptions(input.format(), qualify("input.path", input.path(), conf), input.filesPerShard(),
                input.rowGroupsPerSplit(), input.imageColumn(), input.keyColumn(), input.captionColumn(),
                input.labelColumn());
        String model = io.distillery.model.ModelConfigs.presets().containsKey(teacherModel) ? teacherModel
                : qualify("teacher.model", teacherModel, conf);
        return new ExtractSettings(in, qualify("output.path", outputPath, conf), model,
                qualify("teacher.checkpoint", teacherCheckpoint, conf), teacherCopies,
                targetTensor,
                targetTokens, topK, targetEps, targetDType, storePixels, storeLayers, storeCls, storePooled, storeLogits,
                randomViews, evalCropPct, scaleMin, scaleMax, ratioMin, ratioMax, hflip, seed, batchSize,
                maxRejectFraction, maxPixels, maxSide, progressIntervalMillis, sparkMaster, appName);
    }

    private static String qualify(String key, String path, org.apache.hadoop.conf.Configuration conf) {
        return io.distillery.spark.QualifiedPaths.of("distillery.extract." + key, path, conf);
    }

    /** The number of blocks averaged, for a teacher of {@code depth} blocks. */
    public int effectiveTopK(int depth) {
        int k = topK == ALL_BLOCKS ? depth : topK;
        if (k > depth) {
            throw new IllegalArgumentException("distillery.extract.target.top-k " + k + " exceeds the teacher's depth " + depth);
        }
        return k;
    }
}
