package io.distillery.cli;

import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.EvaluateJob;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.spark.SparkSessions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery evaluate}: kNN / linear-probe accuracy of several encoders, with a report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Frozen-feature kNN and linear-probe accuracy of teacher / students / baselines on labelled "
                + "images, target MSE and cosine of students; writes report.md, report.json and PNG plots.",
                "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.evaluate)."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "<job.conf>", description = "HOCON job file (see conf/).")
    Path config;

    @Option(names = "--set", paramLabel = "key=value", description = "Override one setting, e.g. --set knn.k=10.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        EvaluateSettings settings = EvaluateSettings.from(JobConfigLoader.load(config, overrides, EvaluateSettings.SECTION));
        try (SparkSession spark = SparkSessions.getOrCreate(settings.sparkMaster(), settings.appName())) {
            EvaluateJob.Outcome outcome = EvaluateJob.run(spark, settings);
            System.out.println();
            System.out.println(outcome.report().toText());
            System.out.println("report: " + outcome.markdown() + " and " + outcome.json());
            outcome.plots().forEach(p -> System.out.println("plot:   " + p));
        }
        return 0;
    }
}
