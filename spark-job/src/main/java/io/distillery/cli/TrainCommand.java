package io.distillery.cli;

import io.distillery.spark.SparkSessions;
import io.distillery.train.TrainJob;
import io.distillery.train.TrainSettings;
import io.distillery.train.TrainSummary;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distillery train}: the student learns the cached targets of a feature dataset. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains the student against a feature dataset's cached teacher targets with dl4j-spark "
                    + "parameter averaging; checkpoints, metrics, loss curve, exported student.",
            "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.train)."
        })
final class TrainCommand implements Callable<Integer> {
    static final String SECTION = "distillery.train";

    @Mixin
    JobConfigOptions job;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in run-dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        TrainSettings settings = TrainSettings.from(job.load(SECTION), SECTION);
        if (settings.dataset() == null) {
            throw new IllegalArgumentException(SECTION + ".dataset is required (a feature dataset written by extract)");
        }
        try (SparkSession spark = SparkSessions.getOrCreate(settings.sparkMaster(), settings.appName())) {
            TrainSummary summary = TrainJob.run(spark, settings, resume);
            System.out.println("train complete: " + summary);
        }
        return 0;
    }
}
