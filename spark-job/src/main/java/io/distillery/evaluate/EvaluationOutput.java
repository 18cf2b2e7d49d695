package io.distillery.evaluate;

import io.distillery.eval.KnnClassifier;
import io.distillery.eval.LinearProbe;
import io.distillery.metrics.LossCurve;
import io.distillery.report.AccuracyBarPlot;
import io.distillery.report.EvaluationReport;
import io.distillery.report.ModelResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What image and text evaluation share once the features are on the driver: kNN and linear-probe accuracy of one
 * model, and the report ({@code report.md}, {@code report.json}, {@code accuracy.png}, {@code loss.png}).
 */
final class EvaluationOutput {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationOutput.class);

    private EvaluationOutput() {}

    /** kNN and linear-probe top-1 of features {@code [N, D]} with class indices. */
    static ModelResult accuracies(
            ModelSpec spec,
            float[][] trainFeatures,
            int[] trainLabels,
            float[][] testFeatures,
            int[] testLabels,
            EvaluateSettings s) {
        double knn =
                KnnClassifier.fit(s.knn(), trainFeatures, trainLabels).accuracy(Nd4j.create(testFeatures), testLabels);
        double probe = LinearProbe.train(trainFeatures, trainLabels, s.probe())
                .accuracy(Nd4j.create(testFeatures), testLabels);
        return ModelResult.accuracies(
                spec.name(), spec.kind(), knn, probe, trainFeatures[0].length, trainLabels.length, testLabels.length);
    }

    static void log(ModelResult result, long startNanos) {
        LOG.info(
                "evaluate {}: kNN {} linear probe {} ({} s)",
                result.name(),
                result.knnAccuracy(),
                result.linearProbeAccuracy(),
                (System.nanoTime() - startNanos) / 1_000_000_000);
    }

    /** The report's kNN and linear-probe settings lines. */
    static void putClassifiers(Map<String, String> settings, EvaluateSettings s) {
        settings.put(
                "kNN",
                "k " + s.knn().k() + ", " + s.knn().voting() + ", T " + s.knn().temperature() + ", cosine");
        settings.put(
                "linear probe",
                "softmax, standardised features, L-BFGS, l2 " + s.probe().l2());
    }

    /** Writes report.json, report.md, accuracy.png and (with {@code loss-run}) loss.png into {@code out}. */
    static EvaluateJob.Outcome write(
            Path out, Map<String, String> settings, List<ModelResult> results, EvaluateSettings s, Configuration conf)
            throws IOException {
        EvaluationReport report = EvaluationReport.of("Distillery evaluation", settings, results);
        Path markdown = out.resolve("report.md");
        Path json = out.resolve("report.json");
        report.writeJson(json);
        report.writeMarkdown(markdown);
        List<Path> plots = new ArrayList<>();
        plots.add(AccuracyBarPlot.write(results, out.resolve("accuracy.png"), AccuracyBarPlot.Settings.defaults())
                .file());
        if (s.lossRun() != null) {
            LossCurve.plotRun(s.lossRun(), out.resolve("loss.png"), conf).ifPresent(plots::add);
        }
        return new EvaluateJob.Outcome(report, markdown, json, plots);
    }
}
