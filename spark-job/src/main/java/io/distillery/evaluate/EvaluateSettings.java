package io.distillery.evaluate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.eval.KnnSettings;
import io.distillery.eval.KnnVoting;
import io.distillery.eval.LinearProbeSettings;
import io.distillery.scoring.EncoderScoring;
import io.distillery.shards.InputOptions;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@code distillery evaluate} (see reference.conf).
 *
 * @param maxTrain      at most this many training images in the kNN bank / probe set (0 = all)
 * @param targetDataset a held-out feature dataset for students' target MSE / cosine (null = skip)
 * @param targetRows    rows of it used
 * @param lossRun       a run directory whose metrics.jsonl is plotted as loss.png (null = none)
 */
public record EvaluateSettings(
        InputOptions trainImages,
        InputOptions testImages,
        int maxTrain,
        List<ModelSpec> models,
        String targetDataset,
        int targetRows,
        KnnSettings knn,
        LinearProbeSettings probe,
        EncoderScoring.Pooling pooling,
        int batchSize,
        String out,
        String lossRun,
        long seed,
        String sparkMaster,
        String appName) {
    public static final String SECTION = "distillery.evaluate";

    public EvaluateSettings {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException(SECTION + ".models is empty: list the encoders to evaluate");
        }
    }

    public static EvaluateSettings from(Config c) {
        SectionReader r = new SectionReader(c, SECTION);
        try {
            KnnSettings knn = KnnSettings.dino()
                    .withK(c.getInt("knn.k"))
                    .withVoting(KnnVoting.valueOf(
                            c.getString("knn.voting").toUpperCase(Locale.ROOT).replace('-', '_')));
            LinearProbeSettings probe = LinearProbeSettings.defaults()
                    .withL2(c.getDouble("probe.l2"))
                    .withMaxIterations(c.getInt("probe.max-iterations"));
            return new EvaluateSettings(
                    InputOptions.images(r, "train-images", true),
                    InputOptions.images(r, "test-images", true),
                    c.getInt("max-train"),
                    c.getConfigList("models").stream().map(ModelSpec::from).toList(),
                    r.optional("targets.dataset"),
                    c.getInt("targets.rows"),
                    knn,
                    probe,
                    EncoderScoring.Pooling.fromId(c.getString("pooling")),
                    c.getInt("batch-size"),
                    r.required("out"),
                    r.optional("loss-run"),
                    c.getLong("seed"),
                    c.getString("spark.master"),
                    c.getString("spark.app-name"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(SECTION + ": " + e.getMessage(), e);
        }
    }
}
