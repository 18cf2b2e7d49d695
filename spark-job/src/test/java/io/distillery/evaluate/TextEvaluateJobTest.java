package io.distillery.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.extract.SparkTestSession;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.provenance.Sha256;
import io.distillery.report.EvaluationReport;
import io.distillery.report.ModelResult;
import io.distillery.scoring.EncoderScoring;
import io.distillery.testing.TinyBert;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * evaluate with modality = text in Spark local mode: the tiny BERT of common's test fixtures (and the same weights
 * as a train run's and a pretrain-mlm run's export, and a random BERT) on three classes of texts whose words do not
 * overlap; features against a direct BertEncoder forward, report, and bad input.
 */
class TextEvaluateJobTest {
    private static final int MAX_LENGTH = 10;
    private static final List<List<String>> WORDS = List.of(
            List.of("cat", "dog", "cats", "dogs"),
            List.of("tree", "trees", "far", "away"),
            List.of("house", "mat", "red", "big"));
    private static final List<String> LABELS = List.of("noun.animal", "noun.plant", "noun.artifact");

    /** {@code n} lines label<TAB>text, the classes in turn, 2 to 5 words of the class's own words. */
    private static List<String> lines(int n, long seed) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = i % LABELS.size();
            List<String> words = new ArrayList<>();
            for (int w = 0, count = 2 + random.nextInt(4); w < count; w++) {
                words.add(WORDS.get(c).get(random.nextInt(WORDS.get(c).size())));
            }
            lines.add(LABELS.get(c) + "\t" + String.join(" ", words));
        }
        return lines;
    }

    private static List<String> overrides(Path train, Path test, Path tokenizer, Path out, String models) {
        return List.of(
                "modality=text",
                "train-texts=\"" + train + "\"",
                "test-texts=\"" + test + "\"",
                "text.tokenizer=\"" + tokenizer + "\"",
                "text.max-length=" + MAX_LENGTH,
                "out=\"" + out + "\"",
                "knn.k=5",
                "batch-size=4",
                "probe.max-iterations=200",
                "models=" + models);
    }

    private static EvaluateSettings settings(List<String> overrides) {
        return EvaluateSettings.from(JobConfigLoader.load(null, overrides, EvaluateSettings.SECTION));
    }

    private static EvaluateJob.Outcome run(List<String> overrides) throws Exception {
        return EvaluateJob.run(SparkTestSession.get(), settings(overrides));
    }

    private static String teacher() {
        return "{name = teacher, kind = teacher, model = \"" + TinyBert.file("config.json") + "\", checkpoint = \""
                + TinyBert.file("weights.safetensors") + "\"}";
    }

    /** A folder laid out like a finished run: {@code <run>/<folder>/{config.json, model.safetensors}}. */
    private static Path runDir(Path run, String folder) throws Exception {
        Path dir = Files.createDirectories(run.resolve(folder));
        Files.copy(TinyBert.file("config.json"), dir.resolve("config.json"));
        Files.copy(TinyBert.file("weights.safetensors"), dir.resolve("model.safetensors"));
        return run;
    }

    @Test
    void evaluatesBertModelsOnLabelledTextsAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path train = Files.write(dir.resolve("train.txt"), lines(60, 1));
        Path testDir = Files.createDirectories(dir.resolve("test"));
        Files.write(testDir.resolve("a.txt"), lines(9, 2));
        Files.write(testDir.resolve("b.txt"), lines(6, 3));
        Files.writeString(testDir.resolve("ignored.csv"), "not\ta text file");
        Path tokenizer = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        Path out = dir.resolve("report");
        Path mlmRun = runDir(dir.resolve("mlm-run"), "model");
        Path trainRun = runDir(dir.resolve("train-run"), "student");
        List<String> overrides = new ArrayList<>(overrides(
                train,
                testDir,
                tokenizer,
                out,
                "[" + teacher() + ", {name = student, kind = student, run-dir = \"" + trainRun + "\"}"
                        + ", {name = mlm, kind = teacher, run-dir = \"" + mlmRun + "\"}"
                        + ", {name = random, kind = baseline, model = \"" + TinyBert.file("config.json")
                        + "\", checkpoint = random}]"));
        overrides.add("max-train=45"); // a seeded sample of 45 of the 60 lines
        overrides.add("targets.dataset=\"" + dir.resolve("no-such-dataset") + "\""); // skipped for text, not read
        EvaluateJob.Outcome outcome = run(overrides);

        EvaluationReport report = EvaluationReport.readJson(out.resolve("report.json"));
        assertThat(report.models())
                .extracting(ModelResult::name)
                .containsExactly("teacher", "student", "mlm", "random");
        for (ModelResult m : report.models()) {
            assertThat(m.trainCount()).isEqualTo(45);
            assertThat(m.testCount()).isEqualTo(15);
            assertThat(m.featureDim()).isEqualTo(32);
            // three classes with disjoint words: far above chance (1/3) from any BERT's mean token
            assertThat(m.linearProbeAccuracy()).as(m.name()).isGreaterThanOrEqualTo(0.8);
            assertThat(m.knnAccuracy()).as(m.name()).isGreaterThanOrEqualTo(0.8);
        }
        // the same weights under three layouts give the same accuracies
        assertThat(report.models().get(1).knnAccuracy())
                .isEqualTo(report.models().get(0).knnAccuracy());
        assertThat(report.models().get(2).linearProbeAccuracy())
                .isEqualTo(report.models().get(0).linearProbeAccuracy());
        assertThat(report.models().get(1).checkpoint())
                .isEqualTo("file:" + trainRun.resolve("student/model.safetensors"));
        assertThat(report.models().get(2).checkpoint()).isEqualTo("file:" + mlmRun.resolve("model/model.safetensors"));
        assertThat(report.models().get(0).checkpointSha256())
                .isEqualTo(Sha256.of(TinyBert.file("weights.safetensors")));
        assertThat(report.models().get(3).checkpointSha256())
                .isEqualTo(Sha256.of(out.resolve("_models/random.safetensors")));
        assertThat(report.settings()).containsEntry("classes", "3");
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("| teacher |")
                .contains("| random |");
        assertThat(ImageIO.read(out.resolve("accuracy.png").toFile()).getWidth())
                .isPositive();
        assertThat(outcome.plots()).containsExactly(out.resolve("accuracy.png"));

        // the random BERT is BERT's init, N(0, 0.02), not the fixture
        BertEncoder random = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), out.resolve("_models/random.safetensors"));
        assertThat(random.config().hiddenSize()).isEqualTo(32);
    }

    @Test
    void featuresAreTheMeanOfTheLastLayerOverRealTokens(@TempDir Path dir) throws Exception {
        Path tokenizer = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        List<String> texts = List.of(
                "the cat sat on the mat", "dogs", "a big red house far far away from the tree and the cat", "trees");
        EvaluateSettings s = settings(overrides(
                dir.resolve("train.txt"),
                dir.resolve("test.txt"),
                tokenizer,
                dir.resolve("out"),
                "[" + teacher() + "]"));
        TextEvaluateJob.TextModel model = new TextEvaluateJob.TextModel(
                s.models().get(0),
                TinyBert.file("config.json").toString(),
                TinyBert.file("weights.safetensors").toString(),
                "-");
        float[][] features =
                TextEvaluateJob.features(SparkTestSession.get(), texts, model, tokenizer.toString(), s.text(), 3);

        WordPieceTokenizer words = WordPieceTokenizer.fromVocab(tokenizer, true);
        BertEncoder bert = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), TinyBert.file("weights.safetensors"));
        assertThat(features.length).isEqualTo(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = words.encode(texts.get(i), MAX_LENGTH);
            try (BertOutputs out = bert.forward(List.of(e), Set.of())) {
                INDArray last = out.lastHiddenState();
                int real = 0;
                double[] mean = new double[32];
                for (int t = 0; t < MAX_LENGTH; t++) {
                    if (e.attentionMask()[t] == 1) {
                        real++;
                        for (int d = 0; d < 32; d++) {
                            mean[d] += last.getDouble(0, t, d);
                        }
                    }
                }
                for (int d = 0; d < 32; d++) {
                    assertThat((double) features[i][d])
                            .as("text %d dim %d", i, d)
                            .isCloseTo(mean[d] / real, org.assertj.core.data.Offset.offset(1e-5));
                }
                // cls pooling is the [CLS] row
                float[][] cls = TextFeatures.features(bert, List.of(e), EncoderScoring.Pooling.CLS);
                assertThat((double) cls[0][5])
                        .isCloseTo(last.getDouble(0, 0, 5), org.assertj.core.data.Offset.offset(1e-6));
            }
        }
        // the short texts were padded and the long one truncated: both kinds of row were compared
        assertThat(words.encode(texts.get(1), MAX_LENGTH).attentionMask()).contains(0);
        assertThat(words.encode(texts.get(2), MAX_LENGTH).attentionMask()).doesNotContain(0);
    }

    @Test
    void badInputIsOneLineNamingTheFileLineOrKey(@TempDir Path dir) throws Exception {
        Path tokenizer = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        Path train = Files.write(dir.resolve("train.txt"), lines(6, 1));
        Path unknown = Files.write(dir.resolve("unknown.txt"), List.of("noun.animal\tcat", "verb.motion\tran far"));
        Path out = dir.resolve("out");
        String models = "[" + teacher() + "]";
        assertThatThrownBy(() -> run(overrides(train, unknown, tokenizer, out, models)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("distillery.evaluate.test-texts: " + unknown
                        + ":2: label 'verb.motion' does not occur in the training texts (3 classes)");

        Path noTab = Files.write(dir.resolve("notab.txt"), List.of("noun.animal\tcat", "", "noun.plant tree"));
        assertThatThrownBy(() -> run(overrides(noTab, train, tokenizer, out, models)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "distillery.evaluate.train-texts: " + noTab + ":3: no TAB; every line must be label<TAB>text");

        List<String> mixed = new ArrayList<>(overrides(train, train, tokenizer, out, models));
        mixed.add("train-images.path=\"" + dir + "\"");
        assertThatThrownBy(() -> settings(mixed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modality = text reads train-texts and test-texts, but train-images.path is set");
        List<String> imageWithTexts = new ArrayList<>(overrides(train, train, tokenizer, out, models));
        imageWithTexts.set(0, "modality=image");
        imageWithTexts.add("test-images.path=\"" + dir + "\"");
        imageWithTexts.add("train-images.path=\"" + dir + "\"");
        assertThatThrownBy(() -> settings(imageWithTexts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("train-texts is set but modality = image");

        Path badVocab =
                Files.write(Files.createDirectories(dir.resolve("bad")).resolve("vocab.txt"), List.of("[PAD]", "a"));
        assertThatThrownBy(() -> run(overrides(train, train, badVocab, out, models)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("distillery.evaluate.text.tokenizer: ")
                .hasMessageContaining("vocab.txt");
        List<String> big = new ArrayList<>(Files.readAllLines(tokenizer));
        for (int i = 0; big.size() < 130; i++) {
            big.add("word" + i);
        }
        Path bigVocab = Files.write(dir.resolve("big-vocab.txt"), big); // 129 ids: "##s" is listed twice
        assertThatThrownBy(() -> run(overrides(train, train, bigVocab, out, models)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("distillery.evaluate.text.tokenizer " + bigVocab
                        + " has 129 tokens but the vocab_size of distillery.evaluate.models.teacher is 120");
        assertThatThrownBy(() -> run(overrides(
                        train, train, tokenizer, out, "[{name = nothing, run-dir = \"" + dir.resolve("none") + "\"}]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distillery.evaluate.models.nothing: run-dir ")
                .hasMessageContaining("holds neither student/model.safetensors");
    }

    @Test
    void theWordnetExampleConfigReadsAsATextEvaluation() {
        Path file = Path.of(System.getProperty("distillery.root", "..")).resolve("conf/evaluate-wordnet.conf");
        EvaluateSettings s = EvaluateSettings.from(JobConfigLoader.load(file, List.of(), EvaluateSettings.SECTION));
        assertThat(s.modality()).isEqualTo(io.distillery.shards.Modality.TEXT);
        assertThat(s.trainImages()).isNull();
        assertThat(s.maxTrain()).isEqualTo(20000);
        assertThat(s.text().trainTexts()).isEqualTo("work/wordnet/train.txt");
        assertThat(s.text().testTexts()).isEqualTo("work/wordnet/test.txt");
        assertThat(s.text().tokenizer()).isEqualTo("data/wordnet/vocab.txt");
        assertThat(s.text().maxLength()).isEqualTo(64);
        assertThat(s.text().pooling()).isEqualTo(EncoderScoring.Pooling.MEAN);
        assertThat(s.models()).singleElement().satisfies(m -> {
            assertThat(m.runDir()).isEqualTo("out/pretrain-mlm-wordnet");
            assertThat(m.model()).isNull(); // the run's layout is looked up when the job runs
        });
        assertThat(s.out()).isEqualTo("out/evaluate-wordnet");
    }
}
