package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
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
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The extract job on text (input.modality = text) end to end in Spark local mode, with the tiny random BERT of
 * common's test fixtures (src/test/resources/bert) and a vocab.txt written here: rows, padding, targets against a
 * direct BertEncoder + TextTargets computation, rejects, and resume after an interrupted shard.
 */
class TextExtractJobTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final int MAX_LENGTH = 12;

    private static final List<String> FIRST = List.of(
            "The cat sat on the mat.",
            "A big red dog ran far away, far far away from the big house and the tree!",
            "dogs",
            "Cats sat.",
            "the tree");
    private static final List<String> SECOND = List.of("a red house", "   ", "Trees? Houses!");

    private static List<String> overrides(Path input, Path tokenizer, Path out, String... extra) throws Exception {
        List<String> o = new ArrayList<>(List.of(
                "input.modality=text",
                "input.format=text-lines",
                "input.path=\"" + input + "\"",
                "output.path=\"" + out + "\"",
                "teacher.model=\"" + TinyBert.file("config.json") + "\"",
                "teacher.checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                "text.tokenizer=\"" + tokenizer + "\"",
                "text.max-length=" + MAX_LENGTH,
                "target.dtype=fp32",
                "max-reject-fraction=0.5",
                "batch-size=3",
                "progress-interval=1s"));
        o.addAll(List.of(extra));
        return o;
    }

    private static ExtractSummary extract(List<String> overrides) throws Exception {
        return ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, overrides, "distillery.extract")));
    }

    private static Path input(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("a.txt"), FIRST);
        Files.write(dir.resolve("b.txt"), SECOND);
        return dir;
    }

    private static List<Row> rows(Path out) throws Exception {
        return FeatureDataset.open(SPARK, out.toString(), false)
                .rows()
                .orderBy("key")
                .collectAsList();
    }

    @Test
    void rowsHoldTokensPaddingMaskAndTheTargetsOfADirectComputation(@TempDir Path dir) throws Exception {
        Path tokenizerFile = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(overrides(
                input(dir.resolve("in")),
                tokenizerFile,
                out,
                "target.tensor=ffn",
                "target.top-k=2",
                "store.cls=true",
                "store.layers=[1]"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.shards()).isEqualTo(2);
        assertThat(summary.rows()).isEqualTo(7);
        assertThat(summary.rejects()).isEqualTo(1);

        FeatureMetadata metadata =
                FeatureDataset.open(SPARK, out.toString(), false).metadata();
        assertThat(metadata.textModality()).isTrue();
        assertThat(metadata.text().maxLength()).isEqualTo(MAX_LENGTH);
        assertThat(metadata.text().tokenizerSha256()).isEqualTo(io.distillery.provenance.Sha256.of(tokenizerFile));
        assertThat(metadata.text().lowercase()).isTrue();
        assertThat(metadata.target().tensor()).isEqualTo("ffn");
        assertThat(metadata.target().shape()).containsExactly((long) MAX_LENGTH, 32L);
        assertThat(metadata.tensorColumns())
                .extracting(FeatureMetadata.TensorColumn::name)
                .containsExactly("target", "input_ids", "attention_mask", "layer_01", "cls");

        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(tokenizerFile, true);
        BertEncoder bert = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), TinyBert.file("weights.safetensors"));
        TextTargetRecipe recipe = new TextTargetRecipe(TargetTensor.FFN, 2, 1e-5, true);
        List<Row> rows = rows(out);
        assertThat(rows)
                .extracting(r -> (String) r.getAs("key"))
                .containsExactly("a:1", "a:2", "a:3", "a:4", "a:5", "b:1", "b:3");
        boolean sawPadding = false;
        boolean sawTruncation = false;
        for (Row row : rows) {
            String key = row.getAs("key");
            String text = row.getAs(FeatureColumns.TEXT);
            int line = Integer.parseInt(key.substring(2));
            assertThat(text).isEqualTo((key.startsWith("a") ? FIRST : SECOND).get(line - 1));
            assertThat((Object) row.getAs("label")).isNull();
            Encoding e = tokenizer.encode(text, MAX_LENGTH);
            assertThat(TensorPacking.unpackInts(row.getAs(FeatureColumns.INPUT_IDS)))
                    .isEqualTo(e.ids());
            byte[] mask = row.getAs(FeatureColumns.ATTENTION_MASK);
            assertThat(mask).hasSize(MAX_LENGTH);
            for (int t = 0; t < MAX_LENGTH; t++) {
                assertThat((int) mask[t]).isEqualTo(e.attentionMask()[t]);
            }
            sawPadding |= e.attentionMask()[MAX_LENGTH - 1] == 0;
            sawTruncation |= e.tokens().size() == MAX_LENGTH && e.attentionMask()[MAX_LENGTH - 1] == 1 && line == 2;

            try (BertOutputs direct = bert.forward(List.of(e), Set.of(), true)) {
                MaskedTargets expected = TextTargets.compute(direct.ffnOutputs(), e.attentionMask(), recipe);
                float[] target = TensorPacking.unpack(row.getAs(FeatureColumns.TARGET), TensorDType.FP32);
                assertThat(target).hasSize(MAX_LENGTH * 32);
                for (int i = 0; i < target.length; i++) {
                    if (e.attentionMask()[i / 32] == 0) {
                        assertThat(target[i])
                                .as("%s padded position %d", key, i / 32)
                                .isEqualTo(0f);
                    } else {
                        assertThat((double) target[i])
                                .as("%s[%d]", key, i)
                                .isCloseTo(expected.values()[i], org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
                assertClose(row.getAs("layer_01"), direct.hiddenStates().get(1), key);
                INDArray last = direct.lastHiddenState();
                assertClose(
                        row.getAs(FeatureColumns.CLS),
                        last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()),
                        key);
            }
        }
        assertThat(sawPadding).isTrue();
        assertThat(sawTruncation).as("line a:2 is longer than max-length").isTrue();

        List<Row> rejects =
                SPARK.read().parquet(out.resolve("rejects").toString()).collectAsList();
        assertThat(rejects).hasSize(1);
        assertThat((String) rejects.get(0).getAs("key")).isEqualTo("b:2");
        assertThat((String) rejects.get(0).getAs("reason")).isEqualTo("empty_text");
        assertThat((String) rejects.get(0).getAs("message")).contains("b.txt:2");
    }

    private static void assertClose(byte[] cell, INDArray expected, String key) {
        float[] actual = TensorPacking.unpack(cell, TensorDType.FP32);
        float[] want = expected.dup('c').data().asFloat();
        assertThat(actual).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) actual[i])
                    .as("%s[%d]", key, i)
                    .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void resumesAfterAnInterruptedShardWithoutDuplicates(@TempDir Path dir) throws Exception {
        Path tokenizer = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        Path input = input(dir.resolve("in"));
        Path out = dir.resolve("features");
        List<String> args = overrides(input, tokenizer, out, "target.tensor=block", "target.top-k=all");
        // every shard's first attempt dies after its first batch, before committing: the retries complete them
        SPARK.sparkContext().setLocalProperty(ExtractJob.CRASH_AFTER_ROWS, "3");
        try {
            assertThat(extract(args).ok()).isTrue();
        } finally {
            SPARK.sparkContext().setLocalProperty(ExtractJob.CRASH_AFTER_ROWS, null);
        }
        List<String> first = signature(rows(out));
        assertThat(first).hasSize(7);

        // an interrupted run: shard b's commit record is gone (the data file moved, the record never written) and a
        // stray attempt file lies in _tmp; the dataset reads as in progress
        Files.delete(out.resolve("_distillery/commits/b.json"));
        Files.createDirectories(out.resolve("_tmp"));
        Files.writeString(out.resolve("_tmp/b.attempt-x.data.parquet"), "half written");
        Path status = out.resolve("_distillery/dataset.json");
        Files.writeString(status, Files.readString(status).replace("\"complete\"", "\"in_progress\""));
        Files.deleteIfExists(status.resolveSibling(".dataset.json.crc")); // the local filesystem's checksum
        assertThatThrownBy(() -> rows(out)).hasMessageContaining("rerun the extract job");

        ExtractSummary resumed = extract(args);
        assertThat(resumed.ok()).as(resumed.toString()).isTrue();
        assertThat(resumed.skipped()).as("shard a stays committed").isEqualTo(1);
        assertThat(resumed.rows()).isEqualTo(7);
        assertThat(signature(rows(out))).isEqualTo(first);
        assertThat(Files.exists(out.resolve("_tmp"))).isFalse();
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString())
                            .filter(n -> !n.endsWith(".crc"))
                            .sorted()
                            .toList())
                    .containsExactly("a.parquet", "b.parquet");
        }

        // the same output with another recipe is refused, naming the difference
        assertThatThrownBy(() -> extract(overrides(input, tokenizer, out, "target.tensor=block", "text.max-length=10")))
                .hasMessageContaining("made differently");
    }

    private static List<String> signature(List<Row> rows) {
        return rows.stream()
                .map(r -> r.getAs("key") + "/" + java.util.Arrays.hashCode((byte[]) r.getAs("input_ids")) + "/"
                        + java.util.Arrays.hashCode((byte[]) r.getAs("target")))
                .toList();
    }

    @Test
    void parquetTextWithLabelsAndWebDatasetCaptionsBecomeRows(@TempDir Path dir) throws Exception {
        Path tokenizer = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        org.apache.parquet.schema.MessageType schema = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
                "message t { required binary key (UTF8); optional binary sentence (UTF8); optional int64 y; }");
        Path parquet = Files.createDirectories(dir.resolve("pq")).resolve("part-0.parquet");
        var groups = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
        try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
                        new org.apache.hadoop.fs.Path(parquet.toUri()))
                .withType(schema)
                .build()) {
            writer.write(groups.newGroup()
                    .append("key", "p0")
                    .append("sentence", "the red dog")
                    .append("y", 1L));
            writer.write(groups.newGroup().append("key", "p1").append("y", 2L)); // null text: a no_text reject
            writer.write(groups.newGroup()
                    .append("key", "p2")
                    .append("sentence", "a cat")
                    .append("y", 0L));
        }
        Path out = dir.resolve("pq-features");
        ExtractSummary summary = extract(overrides(
                parquet.getParent(),
                tokenizer,
                out,
                "input.format=parquet",
                "input.text-column=sentence",
                "input.label-column=y"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        List<Row> rows = rows(out);
        assertThat(rows).extracting(r -> (String) r.getAs("key")).containsExactly("p0", "p2");
        assertThat(rows).extracting(r -> (Integer) r.getAs("label")).containsExactly(1, 0);
        assertThat(rows).extracting(r -> (String) r.getAs("text")).containsExactly("the red dog", "a cat");
        // [CLS] the red dog [SEP] and [CLS] a cat [SEP]: 5 and 4 real tokens
        assertThat(rows)
                .extracting(r -> realTokens(r.getAs(FeatureColumns.ATTENTION_MASK)))
                .containsExactly(5, 4);
        Row reject = SPARK.read().parquet(out.resolve("rejects").toString()).first();
        assertThat((String) reject.getAs("reason")).isEqualTo("no_text");
        assertThat((String) reject.getAs("message")).contains("part-0.parquet#1", "'p1'");

        Path tars = Files.createDirectories(dir.resolve("wds"));
        TestInputs.tar(
                tars.resolve("00000.tar"),
                "s0.txt",
                "Big house.",
                "s0.cls",
                "3",
                "s1.json",
                "{\"caption\": \"a tree\"}",
                "s2.json",
                "{\"text\": \"dogs ran\"}");
        Path wdsOut = dir.resolve("wds-features");
        assertThat(extract(overrides(tars, tokenizer, wdsOut, "input.format=webdataset"))
                        .ok())
                .isTrue();
        List<Row> captions = rows(wdsOut);
        assertThat(captions)
                .extracting(r -> (String) r.getAs("text"))
                .containsExactly("Big house.", "a tree", "dogs ran");
        assertThat(captions).extracting(r -> (Integer) r.getAs("label")).containsExactly(3, null, null);
    }

    private static int realTokens(byte[] mask) {
        int n = 0;
        for (byte b : mask) {
            n += b;
        }
        return n;
    }

    @Test
    void aBadTokenizerFileFailsOnTheDriverWithOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("vocab.txt");
        Files.write(bad, List.of("[PAD]", "[CLS]", "[SEP]", "hello"));
        Path input = input(dir.resolve("in"));
        assertThatThrownBy(() -> extract(overrides(input, bad, dir.resolve("out"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("distillery.extract.text.tokenizer: ")
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("[UNK]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> extract(overrides(input, dir.resolve("missing.json"), dir.resolve("out"))))
                .hasMessageContaining("missing.json");
        // a valid tokenizer.json whose ids do not fit the teacher's embedding table
        Path json = io.distillery.testing.ResourceFiles.of("/text/tokenizer-uncased.json");
        assertThatThrownBy(() -> extract(overrides(input, json, dir.resolve("out"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenizer-uncased.json has 357 tokens but the teacher's vocab_size is 120");
        assertThat(Files.exists(dir.resolve("out"))).isFalse();
    }
}
