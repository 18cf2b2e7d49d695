package io.distillery.cli;

import io.distillery.spark.SparkSessions;
import io.distillery.train.FinetuneJob;
import io.distillery.train.FinetuneSettings;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distillery finetune}: a classifier head on an encoder, trained on labelled rows. */
@Command(
        name = "finetune",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a classification head (and the encoder) with cross-entropy on labelled image shards or "
                    + "a feature dataset's labels; exports a timm-style checkpoint with the head and reports accuracy.",
            "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.finetune)."
        })
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    JobConfigOptions job;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in run-dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        FinetuneSettings settings = FinetuneSettings.from(job.load(FinetuneSettings.SECTION));
        try (SparkSession spark = SparkSessions.getOrCreate(
                settings.common().sparkMaster(), settings.common().appName())) {
            FinetuneJob.Summary summary = FinetuneJob.run(spark, settings, resume);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "finetune complete: accuracy %.4f on %d rows of %s; model in %s%n",
                    summary.accuracy(),
                    summary.evaluatedRows(),
                    summary.evaluatedOn(),
                    summary.modelDir());
        }
        return 0;
    }
}
