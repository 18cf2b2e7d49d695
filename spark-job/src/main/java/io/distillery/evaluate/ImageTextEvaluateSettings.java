package io.distillery.evaluate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.shards.InputOptions;
import java.util.List;

/**
 * Settings of {@code distillery evaluate} with {@code modality = image-text} (see reference.conf): zero-shot
 * classification and image-caption retrieval of CLIP-style models on {@code test-images}.
 *
 * @param testImages labelled (for zero-shot) and captioned (for retrieval) image shards
 * @param classNames a text file, one class name per line, line i naming label i; null skips zero-shot
 * @param templates  a text file, one prompt template per line with {@code {}} for the class name
 * @param retrieval  image-to-caption and caption-to-image recall over the test images that have a caption
 * @param maxTest    at most this many test images (0 = all)
 * @param models     open_clip models: {@code model} its config JSON, {@code checkpoint} its safetensors
 * @param tokenizer  CLIP BPE merges file; null for the bundled OpenAI vocabulary
 */
public record ImageTextEvaluateSettings(
        InputOptions testImages,
        String classNames,
        String templates,
        boolean retrieval,
        int maxTest,
        List<ModelSpec> models,
        String tokenizer,
        int batchSize,
        String out,
        String sparkMaster,
        String appName) {
    /** The {@code modality} value that selects these settings. */
    public static final String MODALITY = "image-text";

    public ImageTextEvaluateSettings {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException(
                    EvaluateSettings.SECTION + ".models is empty: list the models to evaluate");
        }
        if ((classNames == null) != (templates == null)) {
            throw new IllegalArgumentException(EvaluateSettings.SECTION + ".zero-shot needs both class-names and"
                    + " templates (or neither, to skip zero-shot)");
        }
        if (classNames == null && !retrieval) {
            throw new IllegalArgumentException(EvaluateSettings.SECTION + ": modality = image-text with neither"
                    + " zero-shot (class-names + templates) nor retrieval has nothing to measure");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(EvaluateSettings.SECTION + ".batch-size must be >= 1, got " + batchSize);
        }
    }

    /** Whether the {@code distillery.evaluate} section asks for image-text evaluation. */
    public static boolean requested(Config c) {
        return MODALITY.equals(c.getString("modality").strip());
    }

    public static ImageTextEvaluateSettings from(Config c) {
        SectionReader r = new SectionReader(c, EvaluateSettings.SECTION);
        try {
            if (r.optional("train-images.path") != null || r.optional("train-texts") != null) {
                throw new IllegalArgumentException(EvaluateSettings.SECTION + ": modality = image-text needs no"
                        + " training set (zero-shot and retrieval); unset train-images.path / train-texts");
            }
            return new ImageTextEvaluateSettings(
                    InputOptions.images(r, "test-images", true),
                    r.optional("zero-shot.class-names"),
                    r.optional("zero-shot.templates"),
                    c.getBoolean("retrieval"),
                    c.getInt("max-test"),
                    c.getConfigList("models").stream()
                            .map(m -> ModelSpec.from(m, true))
                            .toList(),
                    r.optional("clip-tokenizer"),
                    c.getInt("batch-size"),
                    r.required("out"),
                    c.getString("spark.master"),
                    c.getString("spark.app-name"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(EvaluateSettings.SECTION + ": " + e.getMessage(), e);
        }
    }
}
