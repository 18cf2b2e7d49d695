package io.distillery.cli;

import io.distillery.spark.SparkSessions;
import io.distillery.train.PretrainMlmJob;
import io.distillery.train.PretrainMlmSettings;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code distillery pretrain-mlm}: BERT masked-language-model pretraining on plain text. */
@Command(
        name = "pretrain-mlm",
        mixinStandardHelpOptions = true,
        description = {
            "Pretrains a BERT encoder with the masked-language-model objective on text files (one example a line, "
                    + "optional label<TAB>text); exports a Hugging Face folder (config.json, model.safetensors, "
                    + "vocab.txt).",
            "Settings: reference.conf < --config file < --set key=value (keys relative to distillery.pretrain-mlm)."
        })
final class PretrainMlmCommand implements Callable<Integer> {
    @Mixin
    JobConfigOptions job;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in run-dir.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        PretrainMlmSettings settings = PretrainMlmSettings.from(job.load(PretrainMlmSettings.SECTION));
        try (SparkSession spark = SparkSessions.getOrCreate(
                settings.common().sparkMaster(), settings.common().appName())) {
            PretrainMlmJob.Summary summary = PretrainMlmJob.run(spark, settings, resume);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "pretrain-mlm complete: iteration %d, MLM loss %.4f -> %.4f; model in %s%n",
                    summary.iteration(),
                    summary.firstLoss(),
                    summary.finalLoss(),
                    summary.modelDir());
        }
        return 0;
    }
}
