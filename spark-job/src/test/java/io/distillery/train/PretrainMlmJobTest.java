package io.distillery.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.config.JobConfigLoader;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.text.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PretrainMlmJobTest {
    private static final SparkSession SPARK = TrainFixtures.SPARK;
    private static final String[] WORDS = {
        "the", "cat", "dog", "sat", "ran", "on", "under", "mat", "log", "a", "red", "blue", "big", "small", "."
    };

    @TempDir
    Path dir;

    private Path vocab(boolean withMask) throws Exception {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"));
        if (withMask) {
            tokens.add("[MASK]");
        }
        tokens.addAll(List.of(WORDS));
        return Files.write(dir.resolve(withMask ? "vocab.txt" : "nomask.txt"), tokens);
    }

    private Path corpus() throws Exception {
        List<String> lines = new ArrayList<>();
        String[] animals = {"cat", "dog"};
        String[] colours = {"red", "blue", "big", "small"};
        for (int n = 0; n < 48; n++) {
            // a learnable pattern: the noun decides the verb and the object
            String animal = animals[n % 2];
            String verb = n % 2 == 0 ? "sat on" : "ran under";
            String object = n % 2 == 0 ? "mat" : "log";
            lines.add((n % 3 == 0 ? "label" + n + "\t" : "") + "the " + colours[n % 4] + " " + animal + " " + verb
                    + " a " + object + " .");
        }
        Files.createDirectories(dir.resolve("corpus"));
        return Files.write(dir.resolve("corpus/train.txt"), lines);
    }

    private Path modelConfig() throws Exception {
        return Files.writeString(dir.resolve("config.json"), """
                {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
                 "vocab_size": 20, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                 "intermediate_size": 64, "max_position_embeddings": 16, "type_vocab_size": 2,
                 "layer_norm_eps": 1e-12, "architectures": ["BertForMaskedLM"]}
                """);
    }

    private PretrainMlmSettings settings(Path corpus, Path vocab, Path run, int iterations) throws Exception {
        return PretrainMlmSettings.from(JobConfigLoader.load(
                null,
                List.of(
                        "corpus=\"" + corpus + "\"",
                        "vocab=\"" + vocab + "\"",
                        "model-config=\"" + modelConfig() + "\"",
                        "run-dir=\"" + run + "\"",
                        "max-length=12",
                        "mlm.copies=2",
                        "optimizer.lr=3e-3",
                        "optimizer.warmup-iterations=2",
                        "optimizer.min-lr=1e-4",
                        "iterations=" + iterations,
                        "parameter-averaging.batch-size-per-worker=8",
                        "parameter-averaging.averaging-frequency=2",
                        "parameter-averaging.workers=2",
                        "checkpoint.every=4",
                        "checkpoint.keep=2"),
                PretrainMlmSettings.SECTION));
    }

    @Test
    void trainsResumesAndExportsWhatBertEncoderLoads() throws Exception {
        Path corpus = corpus();
        Path vocab = vocab(true);
        Path run = dir.resolve("run");
        PretrainMlmJob.Summary first = PretrainMlmJob.run(SPARK, settings(corpus, vocab, run, 12), false);
        assertEquals(12, first.iteration());
        assertEquals(48, first.examples());
        assertThrows(
                IllegalArgumentException.class,
                () -> PretrainMlmJob.run(SPARK, settings(corpus, vocab, run, 40), false));
        PretrainMlmJob.Summary resumed = PretrainMlmJob.run(SPARK, settings(corpus, vocab, run, 40), true);
        assertEquals(40, resumed.iteration());
        assertTrue(
                resumed.finalLoss() < 0.7 * first.firstLoss(),
                "MLM loss " + first.firstLoss() + " -> " + resumed.finalLoss());
        assertTrue(Files.exists(run.resolve("metrics.jsonl")));

        Path model = run.resolve("model");
        for (String f : List.of("config.json", "model.safetensors", "vocab.txt")) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
        BertConfig config = BertConfig.fromJson(model.resolve("config.json"));
        BertEncoder encoder = BertEncoder.load(config, model.resolve("model.safetensors"));
        CheckpointStore store = new CheckpointStore(
                org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(run.toUri()),
                2);
        ComputationGraph trained = store.load(store.newest().orElseThrow());

        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(model.resolve("vocab.txt"), true);
        MlmBatcher.Tokens t = MlmBatcher.tokens(tokenizer, "the small dog ran under a log .", 12);
        INDArray ids = Nd4j.createFromArray(new int[][] {t.ids()}).castTo(DataType.FLOAT);
        INDArray mask = Nd4j.createFromArray(new int[][] {t.attention()}).castTo(DataType.FLOAT);
        INDArray types = Nd4j.zeros(DataType.FLOAT, 1, 12);
        INDArray fromGraph = trained.feedForward(new INDArray[] {ids, types, mask}, false)
                .get(VertexNames.block(config.numLayers() - 1));
        try (BertOutputs out = encoder.forward(ids, mask, types)) {
            INDArray fromBert = out.lastHiddenState();
            assertEquals(fromBert.length(), fromGraph.length());
            double diff = fromBert.reshape(-1)
                    .castTo(DataType.DOUBLE)
                    .sub(fromGraph.reshape(-1).castTo(DataType.DOUBLE))
                    .amaxNumber()
                    .doubleValue();
            assertTrue(diff < 1e-4, "BertEncoder vs trained graph: max |diff| " + diff);
        }
        assertFalse(Files.exists(run.resolve("_tmp")));
    }

    @Test
    void badInputsGiveOneLineErrors() throws Exception {
        Path corpus = corpus();
        Path run = dir.resolve("bad");
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PretrainMlmJob.run(SPARK, settings(dir.resolve("nope.txt"), vocab(true), run, 4), false));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.write(dir.resolve("empty.txt"), List.of("", "label\t  "));
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class,
                () -> PretrainMlmJob.run(SPARK, settings(empty, vocab(true), run, 4), false));
        assertTrue(none.getMessage().contains("holds no text"), none.getMessage());
        IllegalArgumentException noMask = assertThrows(
                IllegalArgumentException.class,
                () -> PretrainMlmJob.run(SPARK, settings(corpus, vocab(false), run, 4), false));
        assertTrue(noMask.getMessage().contains("has no [MASK]"), noMask.getMessage());
        for (IllegalArgumentException e : List.of(missing, none, noMask)) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertFalse(Files.exists(run.resolve("run.json")));
    }
}
