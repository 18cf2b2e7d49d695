package io.distillery.evaluate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.eval.KnnSettings;
import io.distillery.eval.KnnVoting;
import io.distillery.eval.LinearProbeSettings;
import io.distillery.scoring.EncoderScoring;
import io.distillery.shards.InputOptions;
import io.distillery.shards.Modality;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@code distillery evaluate} (see reference.conf).
 *
 * @param trainImages   labelled image shards (null when {@code modality} is text)
 * @param modality      image (train-images / test-images) or text (train-texts / test-texts, BERT models)
 * @param text          the text input (null when {@code modality} is image)
 * @param maxTrain      at most this many training images or texts in the kNN bank / probe set (0 = all)
 * @param targetDataset a held-out feature dataset for students' target MSE / cosine (null = skip)
 * @param targetRows    rows of it used
 * @param lossRun       a run directory whose metrics.jsonl is plotted as loss.png (null = none)
 */
public record EvaluateSettings(
        InputOptions trainImages,
        InputOptions testImages,
        Modality modality,
        Text text,
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

    /**
     * Labelled texts for {@code modality = text}.
     *
     * @param trainTexts a text file or folder of {@code *.txt}, one {@code label<TAB>text} a line
     * @param testTexts  the same; its labels must occur in {@code trainTexts}
     * @param tokenizer  vocab.txt or a Hugging Face tokenizer.json (by its {@code .json} name)
     * @param lowercase  vocab.txt only: lowercase and strip accents (BERT uncased)
     * @param maxLength  tokens per text, [CLS] and [SEP] included
     * @param pooling    mean of the last layer's real tokens, or its [CLS] token
     */
    public record Text(
            String trainTexts,
            String testTexts,
            String tokenizer,
            boolean lowercase,
            int maxLength,
            EncoderScoring.Pooling pooling)
            implements java.io.Serializable {
        public Text {
            if (maxLength < 2) {
                throw new IllegalArgumentException(
                        SECTION + ".text.max-length must be >= 2 ([CLS] and [SEP]), got " + maxLength);
            }
        }

        /** Whether the tokenizer file is a Hugging Face tokenizer.json rather than a vocab.txt. */
        public boolean tokenizerJson() {
            return tokenizer.toLowerCase(Locale.ROOT).endsWith(".json");
        }
    }

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
            Modality modality;
            try {
                modality = Modality.fromConfig(c.getString("modality"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        SECTION + ".modality must be image, text or image-text, got '" + c.getString("modality") + "'",
                        e);
            }
            boolean text = modality == Modality.TEXT;
            InputOptions trainImages = InputOptions.images(r, "train-images", !text);
            InputOptions testImages = InputOptions.images(r, "test-images", !text);
            String trainTexts = r.optional("train-texts");
            String testTexts = r.optional("test-texts");
            if (text && (trainImages != null || testImages != null)) {
                throw new IllegalArgumentException(SECTION + ": modality = text reads train-texts and test-texts, but "
                        + (trainImages != null ? "train-images" : "test-images")
                        + ".path is set too; evaluate images and texts in separate runs");
            }
            if (!text && (trainTexts != null || testTexts != null)) {
                throw new IllegalArgumentException(SECTION + ": " + (trainTexts != null ? "train-texts" : "test-texts")
                        + " is set but modality = image; set modality = text to evaluate BERT models on texts");
            }
            Text textInput = text
                    ? new Text(
                            r.required("train-texts"),
                            r.required("test-texts"),
                            r.required("text.tokenizer"),
                            c.getBoolean("text.lowercase"),
                            c.getInt("text.max-length"),
                            EncoderScoring.Pooling.fromId(c.getString("text.pooling")))
                    : null;
            return new EvaluateSettings(
                    trainImages,
                    testImages,
                    modality,
                    textInput,
                    c.getInt("max-train"),
                    c.getConfigList("models").stream()
                            .map(m -> ModelSpec.from(m, text))
                            .toList(),
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
