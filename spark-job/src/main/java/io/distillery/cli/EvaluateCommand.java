package io.distillery.cli;

import io.distillery.evaluate.EvaluateJob;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.spark.SparkSessions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code distillery evaluate}: kNN / linear-probe accuracy of several encoders, with a report. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Frozen-feature kNN and linear-probe accuracy of teacher / students / baselines on labelled "
                    + "images (or, with modality = text, BERTs on label<TAB>text files; with modality = image-text, "
                    + "zero-shot accuracy and image-caption retrieval of open_clip models), target MSE and cosine of "
                    + "image students; writes report.md, report.json and PNG plots.",
            "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.evaluate)."
        })
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    JobConfigOptions job;

    @Override
    public Integer call() throws Exception {
        com.typesafe.config.Config config = job.load(EvaluateSettings.SECTION);
        if (io.distillery.evaluate.ImageTextEvaluateSettings.requested(config)) {
            return imageText(io.distillery.evaluate.ImageTextEvaluateSettings.from(config));
        }
        EvaluateSettings settings = EvaluateSettings.from(config);
        try (SparkSession spark = SparkSessions.getOrCreate(settings.sparkMaster(), settings.appName())) {
            EvaluateJob.Outcome outcome = EvaluateJob.run(spark, settings);
            System.out.println();
            System.out.println(outcome.report().toText());
            System.out.println("report: " + outcome.markdown() + " and " + outcome.json());
            outcome.plots().forEach(p -> System.out.println("plot:   " + p));
        }
        return 0;
    }

    private static int imageText(io.distillery.evaluate.ImageTextEvaluateSettings settings) throws Exception {
        try (SparkSession spark = SparkSessions.getOrCreate(settings.sparkMaster(), settings.appName())) {
            var outcome = io.distillery.evaluate.ImageTextEvaluateJob.run(spark, settings);
            System.out.println();
            System.out.println(java.nio.file.Files.readString(outcome.markdown()));
            System.out.println("report: " + outcome.markdown() + " and " + outcome.json());
        }
        return 0;
    }
}
