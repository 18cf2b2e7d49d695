package io.distillery.extract;

import io.distillery.shards.Shard;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * The function Spark runs per shard. It carries only settings and the metadata JSON (a few KB); the Hadoop
 * configuration comes from the executor's environment and the teacher from {@link io.distillery.spark.ExecutorModelCache}.
 */
final class ExtractTask implements Function<Shard, ShardResult> {
    private static final long serialVersionUID = 1L;
    private final ExtractSettings settings;
    private final String metadataJson;
    private final List<String> classNames;
    private final ExtractCounters counters;
    private final TestHooks hooks;

    ExtractTask(
            ExtractSettings settings,
            String metadataJson,
            List<String> classNames,
            ExtractCounters counters,
            TestHooks hooks) {
        this.settings = settings;
        this.metadataJson = metadataJson;
        this.classNames = List.copyOf(classNames);
        this.counters = counters;
        this.hooks = hooks;
    }

    @Override
    public ShardResult call(Shard shard) throws Exception {
        TaskContext ctx = TaskContext.get();
        String attempt =
                ctx == null ? "local" : "s" + ctx.stageId() + "t" + ctx.taskAttemptId() + "a" + ctx.attemptNumber();
        Configuration conf = org.apache.spark.deploy.SparkHadoopUtil.get().conf();
        if (settings.input().modality() == io.distillery.shards.Modality.TEXT) {
            return new TextShardExtractor(settings, metadataJson, conf, counters, hooks.forTask(ctx))
                    .run(shard, attempt);
        }
        return new ShardExtractor(settings, metadataJson, classNames, conf, counters, hooks.forTask(ctx))
                .run(shard, attempt);
    }
}
