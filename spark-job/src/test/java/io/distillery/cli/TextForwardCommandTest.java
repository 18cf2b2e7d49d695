package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.npy.NpyReader;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.targets.TextTargets;
import io.distillery.testing.ResourceFiles;
import io.distillery.testing.TinyBert;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code distillery forward --texts} on the tiny BERT of common's fixtures against a direct BertEncoder forward. */
class TextForwardCommandTest {
    private static final List<String> TEXTS =
            List.of("The cat sat on the mat.", "dogs", "A big red dog ran far away from the house!");

    private static String[] forward(Path texts, Path tokenizer, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "forward",
                "--model",
                TinyBert.file("config.json").toString(),
                "--weights",
                TinyBert.file("weights.safetensors").toString(),
                "--texts",
                texts.toString()));
        if (tokenizer != null) {
            args.addAll(List.of("--tokenizer", tokenizer.toString()));
        }
        args.addAll(List.of("--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static double maxDiff(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        return actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }

    @Test
    void dumpsTokensHiddenStatesFfnAndTargetsOfADirectForward(@TempDir Path dir) throws Exception {
        Path texts = Files.write(dir.resolve("texts.txt"), TEXTS);
        Path tokenizer = TinyBert.vocab(dir.resolve("vocab.txt"));
        Path out = dir.resolve("out");
        assertThat(DistilleryCli.run(forward(texts, tokenizer, out, "--target-tensor", "block", "--top-k", "1")))
                .isZero();

        WordPieceTokenizer words = WordPieceTokenizer.fromVocab(tokenizer, true);
        int longest =
                TEXTS.stream().mapToInt(t -> words.encode(t).length()).max().orElseThrow();
        List<Encoding> encodings =
                TEXTS.stream().map(t -> words.encode(t, longest)).toList();
        BertEncoder encoder = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), TinyBert.file("weights.safetensors"));
        int[] mask = new int[TEXTS.size() * longest];
        int[] ids = new int[mask.length];
        for (int i = 0; i < TEXTS.size(); i++) {
            System.arraycopy(encodings.get(i).attentionMask(), 0, mask, i * longest, longest);
            System.arraycopy(encodings.get(i).ids(), 0, ids, i * longest, longest);
        }
        assertThat(maxDiff(
                        NpyReader.read(out.resolve("input_ids.npy")),
                        Nd4j.createFromArray(ids).reshape(TEXTS.size(), longest)))
                .isZero();
        assertThat(maxDiff(
                        NpyReader.read(out.resolve("attention_mask.npy")),
                        Nd4j.createFromArray(mask).reshape(TEXTS.size(), longest)))
                .isZero();
        try (BertOutputs expected = encoder.forward(encodings, Set.of(), true)) {
            for (int l = 0; l <= 2; l++) {
                assertThat(maxDiff(
                                NpyReader.read(out.resolve("hidden_states_0" + l + ".npy")),
                                expected.hiddenStates().get(l)))
                        .as("hidden state %d", l)
                        .isLessThan(1e-6);
            }
            for (int l = 1; l <= 2; l++) {
                assertThat(maxDiff(
                                NpyReader.read(out.resolve("ffn_0" + l + ".npy")),
                                expected.ffnOutputs().get(l - 1)))
                        .isLessThan(1e-6);
            }
            float[] target = TextTargets.compute(
                            expected.hiddenStates().subList(2, 3),
                            mask,
                            new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true))
                    .values();
            assertThat(maxDiff(
                            NpyReader.read(out.resolve("target.npy")),
                            Nd4j.create(target, new long[] {TEXTS.size(), longest, 32}, 'c')))
                    .isLessThan(1e-6);
        }
        JsonNode manifest =
                new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("text_count").asInt()).isEqualTo(3);
        assertThat(manifest.at("/tokenizer/max_length").asInt()).isEqualTo(longest);
        assertThat(manifest.at("/target/tensor").asText()).isEqualTo("block");
        assertThat(manifest.at("/target/top_k").asInt()).isEqualTo(1);
        assertThat(manifest.at("/arrays/hidden_states_02.npy").toString()).isEqualTo("[3," + longest + ",32]");
        assertThat(manifest.at("/arrays/input_ids.npy").toString()).isEqualTo("[3," + longest + "]");
        assertThat(manifest.get("dtype").asText()).isEqualTo("float32");

        // --max-length pads (or truncates) every text to that length; the ffn target of every layer by default
        Path padded = dir.resolve("padded");
        assertThat(DistilleryCli.run(forward(texts, tokenizer, padded, "--max-length", "20")))
                .isZero();
        assertThat(NpyReader.read(padded.resolve("target.npy")).shape()).containsExactly(3, 20, 32);
        JsonNode second =
                new ObjectMapper().readTree(padded.resolve("manifest.json").toFile());
        assertThat(second.at("/target/tensor").asText()).isEqualTo("ffn");
        assertThat(second.at("/target/top_k").asInt()).isEqualTo(2);
        // padding never changes the real tokens' outputs
        INDArray short0 = NpyReader.read(out.resolve("hidden_states_02.npy"));
        INDArray long0 = NpyReader.read(padded.resolve("hidden_states_02.npy"));
        assertThat(maxDiff(
                        long0.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()),
                        short0.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
                                org.nd4j.linalg.indexing.NDArrayIndex.all())))
                .isLessThan(1e-5);
    }

    /** Rows 1 and 2 of the parity fixture as the max absolute difference to {@code actual}'s rows 0 and 1. */
    private static double fixtureRowsDiff(INDArray actual, String fixture) throws java.io.IOException {
        INDArray rows =
                NpyReader.read(ResourceFiles.of(fixture)).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        return maxDiff(actual, rows) / rows.amaxNumber().doubleValue();
    }

    @Test
    void reproducesThePyTorchParityFixtureOnTextsThatTokenizeToItsRows(@TempDir Path dir) throws Exception {
        // the fixture's rows 1 and 2 are single right-padded texts: [CLS]=2 words [SEP]=3 [PAD]=0 ... of 12 tokens;
        // with word ids 5..119 spelled w5..w119 these two lines tokenize to exactly those ids
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int id = 5; id < 120; id++) {
            tokens.add("w" + id);
        }
        Path tokenizer = Files.write(dir.resolve("vocab.txt"), tokens);
        Path texts = Files.write(dir.resolve("texts.txt"), List.of("w99 w49 w115 w91 w42 w68 w113", "W108 w15"));
        Path out = dir.resolve("out");
        assertThat(DistilleryCli.run(forward(texts, tokenizer, out, "--max-length", "12")))
                .isZero();

        INDArray ids = NpyReader.read(ResourceFiles.of("/bert/input_ids.npy"))
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        assertThat(maxDiff(NpyReader.read(out.resolve("input_ids.npy")), ids)).isZero();
        // BertParityTest's tolerance: 1e-5 of the tensor's largest absolute value, at every position (padded too)
        for (int l = 0; l <= 2; l++) {
            assertThat(fixtureRowsDiff(
                            NpyReader.read(out.resolve("hidden_states_0" + l + ".npy")),
                            "/bert/hidden_states_0" + l + ".npy"))
                    .as("hidden state %d", l)
                    .isLessThan(1e-5);
        }
        for (int l = 1; l <= 2; l++) {
            assertThat(fixtureRowsDiff(
                            NpyReader.read(out.resolve("ffn_0" + l + ".npy")), "/text-targets/ffn_0" + l + ".npy"))
                    .as("ffn %d", l)
                    .isLessThan(1e-5);
        }
        // the default recipe: ffn branches of every layer, layer-normalised
        assertThat(fixtureRowsDiff(NpyReader.read(out.resolve("target.npy")), "/text-targets/target_ffn_top2.npy"))
                .isLessThan(1e-5);
    }

    @Test
    void badArgumentsGiveOneLine(@TempDir Path dir) throws Exception {
        Path texts = Files.write(dir.resolve("texts.txt"), TEXTS);
        Path tokenizer = TinyBert.vocab(dir.resolve("vocab.txt"));
        Path out = dir.resolve("out");

        List<String> both = new ArrayList<>(List.of(forward(texts, tokenizer, out)));
        both.addAll(List.of("--images", dir.toString()));
        assertThat(runCapturingErr(both.toArray(String[]::new)))
                .isEqualTo("distillery forward: error: give exactly one of --images (an image model) and --texts (a"
                        + " BERT)");
        assertThat(runCapturingErr("forward", "--model", "x", "--weights", "y", "--out", out.toString()))
                .contains("give exactly one of --images");
        assertThat(runCapturingErr(forward(texts, null, out)))
                .isEqualTo("distillery forward: error: --texts needs --tokenizer (the model's vocab.txt or"
                        + " tokenizer.json)");
        assertThat(runCapturingErr(forward(texts, dir.resolve("missing.txt"), out)))
                .isEqualTo("distillery forward: error: --tokenizer " + dir.resolve("missing.txt") + " does not exist");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertThat(runCapturingErr(forward(empty, tokenizer, out)))
                .isEqualTo("distillery forward: error: --texts " + empty + " holds no texts (one text a line)");
        assertThat(runCapturingErr(forward(texts, tokenizer, out, "--top-k", "3")))
                .isEqualTo("distillery forward: error: --top-k 3 must be within 1..2");
        assertThat(runCapturingErr(forward(texts, tokenizer, out, "--max-length", "41")))
                .isEqualTo("distillery forward: error: --max-length 41 must be within 2..40 (the model's"
                        + " max_position_embeddings)");
        List<String> big = new ArrayList<>(Files.readAllLines(tokenizer));
        for (int i = 0; big.size() < 130; i++) {
            big.add("word" + i);
        }
        Path bigVocab = Files.write(dir.resolve("big-vocab.txt"), big); // 129 ids: "##s" is listed twice
        assertThat(runCapturingErr(forward(texts, bigVocab, out)))
                .isEqualTo("distillery forward: error: --tokenizer " + bigVocab
                        + " has 129 tokens but the model's vocab_size is 120");
        assertThat(runCapturingErr(forward(texts, tokenizer, out, "--target-tokens", "all")))
                .isEqualTo("distillery forward: error: --target-tokens applies to --images only (text targets cover"
                        + " every real token)");
        assertThat(out).doesNotExist();

        assertThat(DistilleryCli.run(forward(texts, tokenizer, out))).isZero();
        assertThat(runCapturingErr(forward(texts, tokenizer, out)))
                .contains("already holds a complete output; pass --overwrite");
        assertThat(DistilleryCli.run(forward(texts, tokenizer, out, "--overwrite")))
                .isZero();
    }
}
