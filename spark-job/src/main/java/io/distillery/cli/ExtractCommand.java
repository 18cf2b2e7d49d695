package io.distillery.cli;

import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.spark.SparkSessions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code distillery extract}: the teacher pass, shards in, feature dataset out. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the frozen teacher over image shards on Spark and writes the contextualized targets "
                    + "(and optional extras) once, as a resumable Parquet feature dataset.",
            "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.extract)."
        })
final class ExtractCommand implements Callable<Integer> {
    @Mixin
    JobConfigOptions job;

    @Override
    public Integer call() throws Exception {
        ExtractSettings settings = ExtractSettings.from(job.load(ExtractSettings.SECTION));
        try (SparkSession spark = SparkSessions.getOrCreate(settings.sparkMaster(), settings.appName())) {
            ExtractSummary summary = ExtractJob.run(spark, settings);
            if (!summary.failures().isEmpty()) {
                throw new IllegalArgumentException(summary.failures().size() + " shard(s) failed, first: "
                        + summary.failures().get(0) + "; fix the input and rerun (completed shards are kept)");
            }
            if (summary.rejectLimitExceeded()) {
                throw new IllegalArgumentException(String.format(
                        java.util.Locale.ROOT,
                        "%d of %d images were rejected (%.2f%%), above max-reject-fraction %.2f%%; see %s/rejects",
                        summary.rejects(),
                        summary.images(),
                        100 * summary.rejectFraction(),
                        100 * settings.maxRejectFraction(),
                        settings.outputPath()));
            }
            System.out.println("extract complete: " + summary);
        }
        return 0;
    }
}
