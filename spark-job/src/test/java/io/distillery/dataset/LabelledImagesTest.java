package io.distillery.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.extract.SparkTestSession;
import io.distillery.extract.TestInputs;
import io.distillery.features.FeatureColumns;
import io.distillery.image.DecodeLimits;
import io.distillery.train.FinetuneSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** finetune's image rows are cut with the configured views and decode limits, not fixed ones. */
class LabelledImagesTest {
    private static final int SIZE = 32;
    private static final int SAMPLES = 6;

    @TempDir
    static Path dir;

    @BeforeAll
    static void shard() throws Exception {
        TestInputs.twoClassShard(Files.createDirectories(dir.resolve("images")).resolve("t-000.tar"), SAMPLES, 3, SIZE);
    }

    private static FinetuneSettings finetune(String... settings) {
        List<String> o = new ArrayList<>(List.of("images.path=\"" + dir.resolve("images") + "\"", "run-dir=/r"));
        o.addAll(List.of(settings));
        return FinetuneSettings.from(JobConfigLoader.load(null, o, FinetuneSettings.SECTION));
    }

    /** Pixels of view 0 and view 1 of every sample, as loaded for a finetune run with these settings. */
    private static Map<String, byte[][]> views(FinetuneSettings f) throws Exception {
        LabelledImages images = LabelledImages.load(
                SparkTestSession.get(), f.images(), new LabelledImages.Views(SIZE, f.views(), f.decode(), 0));
        Map<String, byte[][]> out = new HashMap<>();
        for (Row row : images.rows().collectAsList()) {
            out.computeIfAbsent(row.getString(row.fieldIndex(FeatureColumns.KEY)), k -> new byte[2][])[
                            row.getInt(row.fieldIndex(FeatureColumns.VIEW))] =
                    row.getAs(FeatureColumns.PIXELS);
        }
        return out;
    }

    @Test
    void theDefaultsAreTheValuesThatWereOnceFixed() {
        FinetuneSettings f = finetune();
        assertThat(f.views()).isEqualTo(new ViewSettings(1, 1.0, 0.08, 1.0, 0.75, 4.0 / 3, true));
        assertThat(f.decode()).isEqualTo(DecodeLimits.defaults());
    }

    @Test
    void configuredCropsTakeEffect() throws Exception {
        Map<String, byte[][]> random = views(finetune());
        assertThat(random).hasSize(SAMPLES);
        assertThat(random.values())
                .as("default random crops differ from the eval view")
                .anyMatch(v -> !Arrays.equals(v[0], v[1]));

        // the whole square image, never mirrored: every random view is the eval view
        Map<String, byte[][]> whole =
                views(finetune("views.scale=[1.0, 1.0]", "views.ratio=[1.0, 1.0]", "views.hflip=false"));
        assertThat(whole).hasSize(SAMPLES);
        assertThat(whole.values()).allMatch(v -> Arrays.equals(v[0], v[1]));
    }

    @Test
    void configuredDecodeLimitsTakeEffect() throws Exception {
        assertThat(views(finetune("decode.max-side=" + (SIZE - 1))))
                .as("every image is too large")
                .isEmpty();
        assertThat(views(finetune("decode.max-side=" + SIZE))).hasSize(SAMPLES);
    }
}
