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
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.provenance.Sha256;
import io.distillery.targets.MaskedTargets;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.targets.TextTargets;
import io.distillery.testing.TinyBert;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image extract that also runs a text teacher on the captions (multimodal distillation's dataset), end to end in
 * Spark local mode with the parity BEiT teacher and the tiny BERT: the caption columns sit on view-0 rows only and
 * equal a direct BertEncoder + TextTargets computation, samples without a caption are rejected, and the image
 * columns are exactly those of the same extract without a caption teacher.
 */
class CaptionExtractJobTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final int MAX_LENGTH = 10;
    private static final Map<String, String> CAPTIONS = Map.of(
            "k0", "The cat sat on the mat.", "k1", "a big red dog ran far away from the big house", "k2", "trees");

    private static Path input(Path dir) throws Exception {
        Files.createDirectories(dir);
        Random random = new Random(3);
        List<Object> members = new ArrayList<>();
        for (String key : List.of("k0", "k1", "k2")) {
            members.addAll(
                    List.of(key + ".png", TestInputs.randomPng(random, 40, 30), key + ".txt", CAPTIONS.get(key)));
        }
        members.addAll(List.of("k3.png", TestInputs.randomPng(random, 30, 30))); // no caption
        members.addAll(List.of("k4.png", TestInputs.randomPng(random, 30, 40), "k4.txt", "  ")); // blank caption
        TestInputs.tar(dir.resolve("s0.tar"), members.toArray());
        return dir;
    }

    private static List<String> overrides(Path input, Path out, Path tokenizer, boolean captions) {
        List<String> extra = new ArrayList<>(
                List.of("views.random=2", "target.dtype=fp32", "max-reject-fraction=0.5", "store.pixels=false"));
        if (captions) {
            extra.addAll(List.of(
                    "caption-teacher.model=\"" + TinyBert.file("config.json") + "\"",
                    "caption-teacher.checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                    "caption-teacher.top-k=2",
                    "text.tokenizer=\"" + tokenizer + "\"",
                    "text.max-length=" + MAX_LENGTH));
        }
        return TestInputs.overrides(input, "webdataset", out, extra.toArray(String[]::new));
    }

    private static ExtractSummary extract(List<String> overrides) throws Exception {
        return ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, overrides, "distillery.extract")));
    }

    private static List<Row> rows(Path out) throws Exception {
        return FeatureDataset.open(SPARK, out.toString(), false)
                .rows()
                .orderBy("key", "view")
                .collectAsList();
    }

    @Test
    void view0RowsCarryTheCaptionTeachersTargetsAndTheImageColumnsAreUnchanged(@TempDir Path dir) throws Exception {
        Path tokenizerFile = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        Path input = input(dir.resolve("in"));
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(overrides(input, out, tokenizerFile, true));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rows()).isEqualTo(9);
        assertThat(summary.rejects()).isEqualTo(2);

        FeatureMetadata metadata =
                FeatureDataset.open(SPARK, out.toString(), false).metadata();
        assertThat(metadata.textModality()).isFalse();
        FeatureMetadata.Captions captions = metadata.captions();
        assertThat(captions).isNotNull();
        assertThat(captions.teacher().checkpointSha256()).isEqualTo(Sha256.of(TinyBert.file("weights.safetensors")));
        assertThat(captions.text().tokenizerSha256()).isEqualTo(Sha256.of(tokenizerFile));
        assertThat(captions.text().maxLength()).isEqualTo(MAX_LENGTH);
        assertThat(captions.target().topK()).isEqualTo(2);
        assertThat(captions.target().column()).isEqualTo("caption_target");
        assertThat(captions.tensorColumns())
                .extracting(FeatureMetadata.TensorColumn::name)
                .containsExactly("caption_target", "caption_input_ids", "caption_attention_mask");
        assertThat(metadata.tensorColumns())
                .extracting(FeatureMetadata.TensorColumn::name)
                .containsExactly("target");

        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(tokenizerFile, true);
        BertEncoder bert = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), TinyBert.file("weights.safetensors"));
        TextTargetRecipe recipe = new TextTargetRecipe(TargetTensor.FFN, 2, 1e-5, true);
        List<Row> rows = rows(out);
        assertThat(rows)
                .extracting(r -> r.getAs("key") + "/" + r.getAs("view"))
                .containsExactly("k0/0", "k0/1", "k0/2", "k1/0", "k1/1", "k1/2", "k2/0", "k2/1", "k2/2");
        for (Row row : rows) {
            String key = row.getAs("key");
            int view = row.getAs("view");
            assertThat((String) row.getAs(FeatureColumns.CAPTION)).isEqualTo(CAPTIONS.get(key));
            if (view != FeatureMetadata.Captions.VIEW) {
                for (String column : List.of("caption_target", "caption_input_ids", "caption_attention_mask")) {
                    assertThat((Object) row.getAs(column))
                            .as("%s view %d %s", key, view, column)
                            .isNull();
                }
                continue;
            }
            Encoding e = tokenizer.encode(CAPTIONS.get(key), MAX_LENGTH);
            assertThat(TensorPacking.unpackInts(row.getAs("caption_input_ids"))).isEqualTo(e.ids());
            byte[] mask = row.getAs("caption_attention_mask");
            int[] maskInts = new int[mask.length];
            Arrays.setAll(maskInts, i -> mask[i]);
            assertThat(maskInts).isEqualTo(e.attentionMask());
            try (BertOutputs direct = bert.forward(List.of(e), Set.of(), true)) {
                MaskedTargets expected = TextTargets.compute(direct.ffnOutputs(), e.attentionMask(), recipe);
                float[] target = TensorPacking.unpack(row.getAs("caption_target"), TensorDType.FP32);
                assertThat(target).hasSize(MAX_LENGTH * 32);
                for (int i = 0; i < target.length; i++) {
                    assertThat((double) target[i])
                            .as("%s caption target[%d]", key, i)
                            .isCloseTo(expected.values()[i], org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }

        Map<String, String> reasons = SPARK
                .read()
                .parquet(out.resolve("rejects").toString())
                .collectAsList()
                .stream()
                .collect(Collectors.toMap(r -> r.getAs("key"), r -> r.getAs("reason")));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of("k3", "no_text", "k4", "empty_text"));

        // the image part is the image extract's (to float rounding: the image-only run batches k3 and k4 too, and
        // the teacher's gemms round differently in other batch compositions)
        Path imageOnly = dir.resolve("image-only");
        assertThat(extract(overrides(input, imageOnly, tokenizerFile, false)).ok())
                .isTrue();
        Map<String, byte[]> imageTargets = rows(imageOnly).stream()
                .collect(Collectors.toMap(r -> r.getAs("key") + "/" + r.getAs("view"), r -> r.getAs("target")));
        assertThat(imageTargets).hasSize(15);
        for (Row row : rows) {
            String id = row.getAs("key") + "/" + row.getAs("view");
            float[] got = TensorPacking.unpack(row.getAs("target"), TensorDType.FP32);
            float[] want = TensorPacking.unpack(imageTargets.get(id), TensorDType.FP32);
            assertThat(got).as(id).hasSameSizeAs(want);
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("%s target[%d]", id, i).isCloseTo(want[i], within(1e-4));
            }
        }
        assertThat(FeatureDataset.open(SPARK, imageOnly.toString(), false)
                        .metadata()
                        .captions())
                .isNull();
    }

    @Test
    void aCaptionTeacherNeedsImageInputAndATokenizer(@TempDir Path dir) throws Exception {
        Path tokenizerFile = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        List<String> withoutTokenizer = new ArrayList<>(overrides(dir, dir.resolve("o"), tokenizerFile, true));
        withoutTokenizer.removeIf(o -> o.startsWith("text.tokenizer"));
        assertThatThrownBy(
                        () -> ExtractSettings.from(JobConfigLoader.load(null, withoutTokenizer, "distillery.extract")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text.tokenizer")
                .hasMessageContaining("caption-teacher.checkpoint");

        List<String> textInput = new ArrayList<>(overrides(dir, dir.resolve("o"), tokenizerFile, true));
        textInput.add("input.modality=text");
        assertThatThrownBy(() -> ExtractSettings.from(JobConfigLoader.load(null, textInput, "distillery.extract")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caption-teacher is for image input");
    }
}
