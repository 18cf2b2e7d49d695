package io.distillery.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.LabelledImages;
import io.distillery.dataset.ViewSettings;
import io.distillery.extract.SparkTestSession;
import io.distillery.extract.TestInputs;
import io.distillery.features.FeatureColumns;
import io.distillery.image.DecodeLimits;
import io.distillery.image.ImageNormalizer;
import io.distillery.image.RgbImage;
import io.distillery.model.clip.ClipConfig;
import io.distillery.model.clip.ClipModel;
import io.distillery.shards.InputOptions;
import io.distillery.shards.ShardFormat;
import io.distillery.spark.ClipModels;
import io.distillery.testing.TinyClip;
import io.distillery.text.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code evaluate} with modality = image-text, in Spark local mode, on the tiny random open_clip: its zero-shot
 * accuracy and retrieval recall equal the scores computed here by hand from direct ClipModel embeddings of the same
 * eval views, prompts and captions.
 */
class ImageTextEvaluateJobTest {
    private static final List<String> CLASSES = List.of("cat", "dog", "bird");
    private static final List<String> TEMPLATES = List.of("a photo of a {}.", "a blurry picture of the {}.");
    private static final String[] CAPTIONS = {
        "a cat on a mat", "two dogs", "a small bird singing", "a sleeping cat", "the dog ran far", null
    };

    private static Path input(Path dir) throws Exception {
        Files.createDirectories(dir);
        Random random = new Random(21);
        List<Object> members = new ArrayList<>();
        for (int i = 0; i < CAPTIONS.length; i++) {
            String key = "s" + i;
            members.addAll(List.of(key + ".png", TestInputs.randomPng(random, 32, 32), key + ".cls", "" + (i % 3)));
            if (CAPTIONS[i] != null) {
                members.addAll(List.of(key + ".txt", CAPTIONS[i]));
            }
        }
        TestInputs.tar(dir.resolve("test.tar"), members.toArray());
        return dir;
    }

    private static List<String> overrides(Path dir, Path[] clip, String... extra) throws Exception {
        Path classes = Files.write(dir.resolve("classes.txt"), CLASSES);
        Path templates = Files.write(dir.resolve("templates.txt"), TEMPLATES);
        List<String> o = new ArrayList<>(List.of(
                "modality=image-text",
                "test-images.path=\"" + dir.resolve("in") + "\"",
                "zero-shot.class-names=\"" + classes + "\"",
                "zero-shot.templates=\"" + templates + "\"",
                "models=[{name=tiny, kind=teacher, model=\"" + clip[0] + "\", checkpoint=\"" + clip[1] + "\"}]",
                "batch-size=4",
                "out=\"" + dir.resolve("report") + "\""));
        o.addAll(List.of(extra));
        return o;
    }

    @Test
    void scoresEqualAHandComputationOnDirectEmbeddings(@TempDir Path dir) throws Exception {
        Path[] clip = TinyClip.write(dir.resolve("clip"));
        input(dir.resolve("in"));
        ImageTextEvaluateSettings settings = ImageTextEvaluateSettings.from(
                JobConfigLoader.load(null, overrides(dir, clip), EvaluateSettings.SECTION));
        ImageTextEvaluateJob.Outcome outcome = ImageTextEvaluateJob.run(SparkTestSession.get(), settings);

        ClipModel model = ClipModel.load(ClipConfig.fromJson(clip[0]), clip[1]);
        ClipTokenizer tokenizer = ClipTokenizer.openaiDefault();
        // class weights: mean of the unit prompt embeddings, renormalised
        double[][] classWeights = new double[CLASSES.size()][];
        for (int c = 0; c < CLASSES.size(); c++) {
            double[] sum = new double[TinyClip.EMBED];
            for (String t : TEMPLATES) {
                add(sum, unit(model.encodeTexts(new int[][] {tokenizer.tokenize(t.replace("{}", CLASSES.get(c)), 16)
                })));
            }
            classWeights[c] = normalised(sum);
        }
        List<Row> views = LabelledImages.load(
                        SparkTestSession.get(),
                        InputOptions.of(
                                ShardFormat.WEBDATASET, dir.resolve("in").toString()),
                        new LabelledImages.Views(32, ViewSettings.evalOnly(1.0), DecodeLimits.defaults(), 0))
                .rows()
                .collectAsList()
                .stream()
                .sorted(Comparator.comparing(r -> (String) r.getAs(FeatureColumns.KEY)))
                .toList();
        ImageNormalizer normalizer = new ImageNormalizer(ClipModels.MEAN, ClipModels.STD);
        int correct = 0;
        List<double[]> images = new ArrayList<>();
        List<double[]> captions = new ArrayList<>();
        for (Row row : views) {
            String key = row.getAs(FeatureColumns.KEY);
            double[] image = unit(model.encodeImages(normalizer
                    .normalize(new RgbImage(key, 32, 32, row.getAs(FeatureColumns.PIXELS)))
                    .reshape(1, 3, 32, 32)));
            int best = 0;
            for (int c = 1; c < CLASSES.size(); c++) {
                if (dot(image, classWeights[c]) > dot(image, classWeights[best])) {
                    best = c;
                }
            }
            correct += best == (int) row.getAs(FeatureColumns.LABEL) ? 1 : 0;
            String caption = CAPTIONS[Integer.parseInt(key.substring(1))];
            if (caption != null) {
                images.add(image);
                captions.add(unit(model.encodeTexts(new int[][] {tokenizer.tokenize(caption, 16)})));
            }
        }
        int imageHits = 0;
        int captionHits = 0;
        for (int i = 0; i < images.size(); i++) {
            int bestCaption = 0;
            int bestImage = 0;
            for (int j = 1; j < images.size(); j++) {
                bestCaption = dot(images.get(i), captions.get(j)) > dot(images.get(i), captions.get(bestCaption))
                        ? j
                        : bestCaption;
                bestImage = dot(captions.get(i), images.get(j)) > dot(captions.get(i), images.get(bestImage))
                        ? j
                        : bestImage;
            }
            imageHits += bestCaption == i ? 1 : 0;
            captionHits += bestImage == i ? 1 : 0;
        }

        ImageTextEvaluateJob.ModelScores scores = outcome.scores().get(0);
        assertThat(scores.images()).isEqualTo(6);
        assertThat(scores.captions()).isEqualTo(5);
        assertThat(scores.zeroShot().total()).isEqualTo(6);
        assertThat(scores.zeroShot().top1Correct()).isEqualTo(correct);
        assertThat(scores.zeroShot().top5Correct())
                .as("3 classes: every label is in the top 5")
                .isEqualTo(6);
        assertThat(scores.retrieval().imageToText().queries()).isEqualTo(5);
        assertThat(scores.retrieval().imageToText().recallAt(1)).isCloseTo(imageHits / 5.0, within(1e-12));
        assertThat(scores.retrieval().textToImage().recallAt(1)).isCloseTo(captionHits / 5.0, within(1e-12));
        assertThat(scores.retrieval().textToImage().recallAt(5)).isEqualTo(1.0);

        JsonNode json = new ObjectMapper().readTree(outcome.json().toFile());
        assertThat(json.at("/models/0/zero_shot/top1").asDouble()).isCloseTo(correct / 6.0, within(1e-12));
        assertThat(json.at("/models/0/image_to_text/recall_at_1").asDouble()).isCloseTo(imageHits / 5.0, within(1e-12));
        assertThat(Files.readString(outcome.markdown())).contains("| tiny | teacher | 6 |");
    }

    @Test
    void zeroShotNeedsBothFilesAndNoTrainingSetIsRead(@TempDir Path dir) throws Exception {
        Path[] clip = {dir.resolve("c.json"), dir.resolve("w.safetensors")};
        List<String> noTemplates = overrides(dir, clip, "zero-shot.templates=null");
        assertThatThrownBy(() -> ImageTextEvaluateSettings.from(
                        JobConfigLoader.load(null, noTemplates, EvaluateSettings.SECTION)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero-shot needs both class-names and templates");
        List<String> withTrain = overrides(dir, clip, "train-images.path=/train");
        assertThatThrownBy(() ->
                        ImageTextEvaluateSettings.from(JobConfigLoader.load(null, withTrain, EvaluateSettings.SECTION)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs no training set");
    }

    private static double[] unit(INDArray row) {
        double[] v =
                row.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        return normalised(v);
    }

    private static double[] normalised(double[] v) {
        double n = Math.sqrt(dot(v, v));
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    private static void add(double[] sum, double[] v) {
        for (int i = 0; i < v.length; i++) {
            sum[i] += v[i];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
