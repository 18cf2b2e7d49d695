package io.distillery.extract;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.features.TensorDType;
import io.distillery.shards.InputOptions;
import io.distillery.shards.ShardFormat;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

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
        for (int layer : storeLayers) {
            if (layer < 1) {
                throw new IllegalArgumentException("distillery.extract.store.layers are 1-based block numbers, got " + layer);
            }
        }
    }

    /** Reads the {@code distillery.extract} section; every error names the key. */
    public static ExtractSettings from(Config c) {
        try {
            InputOptions input = new InputOptions(ShardFormat.fromConfig(c.getString("input.format")),
                    required(c, "input.path"), c.getInt("input.files-per-shard"), c.getInt("input.row-groups-per-split"),
                    c.getString("input.image-column"), c.getString("input.key-column"),
                    c.getString("input.caption-column"), optional(c, "input.label-column"));
            return new ExtractSettings(input, required(c, "output.path"), c.getString("teacher.model"),
                    required(c, "teacher.checkpoint"), c.getInt("teacher.copies"),
                    enumOf(TargetTensor.class, c.getString("target.tensor"), "target.tensor"),
                    enumOf(TargetTokens.class, c.getString("target.tokens"), "target.tokens"),
                    topK(c.getString("target.top-k")), c.getDouble("target.eps"),
                    TensorDType.fromId(c.getString("target.dtype")), c.getBoolean("store.pixels"),
                    c.getIntList("store.layers"), c.getBoolean("store.cls"), c.getBoolean("store.pooled"),
                    c.getBoolean("store.logits"), c.getInt("views.random"), c.getDouble("views.eval-crop-pct"),
                    pair(c, "views.scale")[0], pair(c, "views.scale")[1], pair(c, "views.ratio")[0],
                    pair(c, "views.ratio")[1], c.getBoolean("views.hflip"), c.getLong("seed"), c.getInt("batch-size"),
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

    private static String required(Config c, String key) {
        if (!c.hasPath(key)) {
            throw new IllegalArgumentException("distillery.extract." + key + " is required");
        }
        return c.getString(key);
    }

    private static String optional(Config c, String key) {
        return c.hasPath(key) ? c.getString(key) : null;
    }

    private static int topK(String value) {
        if (value.equalsIgnoreCase("all")) {
            return ALL_BLOCKS;
        }
        try {
            int k = Integer.parseInt(value.trim());
            if (k < 1) {
                throw new NumberFormatException();
            }
            return k;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("distillery.extract.target.top-k must be 'all' or >= 1, got '" + value + "'");
        }
    }

    private static double[] pair(Config c, String key) {
        List<Double> values = c.getDoubleList(key);
        if (values.size() != 2 || values.get(0) > values.get(1) || values.get(0) <= 0) {
            throw new IllegalArgumentException("distillery.extract." + key + " must be [min, max] with 0 < min <= max, got " + values);
        }
        return new double[] {values.get(0), values.get(1)};
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String key) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("distillery.extract." + key + " '" + value + "' is not one of "
                    + java.util.Arrays.stream(type.getEnumConstants()).map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
        }
    }
}
