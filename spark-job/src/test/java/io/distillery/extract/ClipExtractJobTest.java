package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.image.ImageNormalizer;
import io.distillery.image.RgbImage;
import io.distillery.model.clip.ClipConfig;
import io.distillery.model.clip.ClipModel;
import io.distillery.testing.TinyClip;
import io.distillery.text.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The extract job with an open_clip teacher (teacher.kind = open-clip), end to end in Spark local mode: the tiny
 * random CLIP of common's fixtures, given CLIP's real vocabulary size here so that the bundled BPE tokenizer's ids
 * fit. Every view's image_embedding and every caption's ids and embedding equal a direct ClipModel computation on the
 * stored pixels and the tokenizer's ids.
 */
class ClipExtractJobTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final Map<String, String> CAPTIONS =
            Map.of("c0", "a photo of a cat on a mat.", "c1", "Two dogs, running far away!");

    private static List<String> overrides(Path input, Path out, Path[] teacher, String... extra) {
        List<String> o = new ArrayList<>(List.of(
                "input.format=webdataset",
                "input.path=\"" + input + "\"",
                "output.path=\"" + out + "\"",
                "teacher.kind=open-clip",
                "teacher.model=\"" + teacher[0] + "\"",
                "teacher.checkpoint=\"" + teacher[1] + "\"",
                "views.random=1",
                "target.dtype=fp32",
                "batch-size=3",
                "max-reject-fraction=0.5",
                "progress-interval=1s"));
        o.addAll(List.of(extra));
        return o;
    }

    private static ExtractSummary extract(List<String> overrides) throws Exception {
        return ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, overrides, "distillery.extract")));
    }

    @Test
    void rowsHoldTheNormalisedEmbeddingsOfADirectClipComputation(@TempDir Path dir) throws Exception {
        Path[] teacher = TinyClip.write(dir.resolve("teacher"));
        Path input = Files.createDirectories(dir.resolve("in"));
        Random random = new Random(9);
        TestInputs.tar(
                input.resolve("s0.tar"),
                "c0.png",
                TestInputs.randomPng(random, 40, 30),
                "c0.txt",
                CAPTIONS.get("c0"),
                "c1.png",
                TestInputs.randomPng(random, 36, 36),
                "c1.txt",
                CAPTIONS.get("c1"),
                "c2.png",
                TestInputs.randomPng(random, 30, 40));
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(overrides(input, out, teacher));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rows()).isEqualTo(4);
        assertThat(summary.rejects()).isEqualTo(1);

        FeatureMetadata metadata =
                FeatureDataset.open(SPARK, out.toString(), false).metadata();
        assertThat(metadata.teacher().model()).containsEntry("model_type", "open_clip");
        ClipModel clip = ClipModel.load(ClipConfig.fromJson(teacher[0]), teacher[1]);
        assertThat((Double) metadata.teacher().model().get("logit_scale")).isCloseTo(clip.logitScale(), within(1e-9));
        assertThat(metadata.target().column()).isEqualTo(FeatureColumns.IMAGE_EMBEDDING);
        assertThat(metadata.target().shape()).containsExactly(32L);
        assertThat(metadata.preprocessing().imgSize()).isEqualTo(32);
        assertThat(metadata.captions().text().maxLength()).isEqualTo(16);
        assertThat(metadata.captions().tensorColumns())
                .extracting(FeatureMetadata.TensorColumn::name)
                .containsExactly("caption_input_ids", "caption_embedding");

        ClipTokenizer tokenizer = ClipTokenizer.openaiDefault();
        ImageNormalizer normalizer = new ImageNormalizer(ClipTeacher.MEAN, ClipTeacher.STD);
        List<Row> rows = FeatureDataset.open(SPARK, out.toString(), false)
                .rows()
                .orderBy("key", "view")
                .collectAsList();
        assertThat(rows)
                .extracting(r -> r.getAs("key") + "/" + r.getAs("view"))
                .containsExactly("c0/0", "c0/1", "c1/0", "c1/1");
        for (Row row : rows) {
            String id = row.getAs("key") + "/" + row.getAs("view");
            RgbImage view = new RgbImage(id, 32, 32, row.getAs(FeatureColumns.PIXELS));
            INDArray pixels = normalizer.normalize(view).reshape(1, 3, 32, 32);
            assertClose(row.getAs(FeatureColumns.IMAGE_EMBEDDING), ClipModel.normalize(clip.encodeImages(pixels)), id);
            if ((int) row.getAs("view") != 0) {
                assertThat((Object) row.getAs("caption_embedding")).as(id).isNull();
                continue;
            }
            int[] ids = tokenizer.tokenize(CAPTIONS.get((String) row.getAs("key")), 16);
            assertThat(TensorPacking.unpackInts(row.getAs("caption_input_ids")))
                    .as(id)
                    .isEqualTo(ids);
            assertClose(row.getAs("caption_embedding"), ClipModel.normalize(clip.encodeTexts(new int[][] {ids})), id);
        }
        Map<String, String> reasons = SPARK
                .read()
                .parquet(out.resolve("rejects").toString())
                .collectAsList()
                .stream()
                .collect(Collectors.toMap(r -> r.getAs("key"), r -> r.getAs("reason")));
        assertThat(reasons).isEqualTo(Map.of("c2", "no_text"));
    }

    private static void assertClose(byte[] cell, INDArray expected, String id) {
        float[] got = TensorPacking.unpack(cell, TensorDType.FP32);
        float[] want = expected.dup('c').data().asFloat();
        assertThat(got).as(id).hasSameSizeAs(want);
        double norm = 0;
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("%s[%d]", id, i).isCloseTo(want[i], within(1e-5));
            norm += got[i] * (double) got[i];
        }
        assertThat(Math.sqrt(norm)).as("%s is unit length", id).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void anOpenClipTeacherRefusesTimmOnlySettings(@TempDir Path dir) {
        Path[] teacher = {dir.resolve("ViT.json"), dir.resolve("w.safetensors")};
        for (String[] bad : new String[][] {
            {"store.cls=true", "store: an open_clip teacher writes image_embedding"},
            {"caption-teacher.checkpoint=/b.safetensors", "caption-teacher: an open_clip teacher embeds the captions"},
            {"teacher.model=beitv2_base_patch16_224", "must be an open_clip model config JSON"},
            {"teacher.kind=clip", "teacher.kind must be timm or open-clip"}
        }) {
            List<String> o = overrides(dir, dir.resolve("o"), teacher, bad[0], "text.tokenizer=/v.txt");
            assertThatThrownBy(() -> ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract")))
                    .as(bad[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad[1]);
        }
    }
}
