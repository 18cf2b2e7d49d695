package io.distillery.train;

import io.distillery.checkpoint.DType;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.model.text.TextWeights;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code distillery pretrain-mlm}: masked-language-model pretraining of a BERT encoder (TextEncoderGraph's MLM
 * graph) on plain text files with the distributed trainer, checkpoints and metrics of {@code train}. Writes
 * {@code <run>/model/}: config.json, model.safetensors (BertForMaskedLM names) and vocab.txt, a folder
 * {@code BertEncoder} and transformers load. Corpus, vocabulary, model config and run dir are local paths.
 */
public final class PretrainMlmJob {
    private static final Logger LOG = LoggerFactory.getLogger(PretrainMlmJob.class);
    static final String MODEL_DIR = "model";
    static final String WEIGHTS = "model.safetensors";

    /** @param modelDir the exported Hugging Face folder */
    public record Summary(int iteration, double firstLoss, double finalLoss, long examples, String modelDir) {}

    private PretrainMlmJob() {}

    public static Summary run(SparkSession spark, PretrainMlmSettings p, boolean resume) throws IOException {
        TrainSettings s = p.common();
        Path vocab = existing("vocab", p.vocab());
        Path modelConfig = existing("model-config", p.modelConfig());
        List<Tuple2<String, String>> rows = readCorpus(existing("corpus", p.corpus()));
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(vocab, p.lowercase());
        OptionalInt mask = tokenizer.tokenToId("[MASK]");
        if (mask.isEmpty()) {
            throw new IllegalArgumentException(vocab + " has no [MASK] token");
        }
        BertConfig config = BertConfig.fromJson(modelConfig);
        if (config.vocabSize() < tokenizer.vocabSize()) {
            throw new IllegalArgumentException(modelConfig + ": vocab_size " + config.vocabSize() + " is below the "
                    + tokenizer.vocabSize() + " tokens of " + vocab);
        }
        if (p.maxLength() > config.maxPositions()) {
            throw new IllegalArgumentException(PretrainMlmSettings.SECTION + ".max-length " + p.maxLength()
                    + " exceeds max_position_embeddings " + config.maxPositions() + " of " + modelConfig);
        }
        MlmMasking masking = new MlmMasking(
                p.probability(),
                p.maskFraction(),
                p.randomFraction(),
                mask.getAsInt(),
                tokenizer.vocabSize(),
                s.optimization().seed());
        try (var lock = TrainingLoop.lockRunDir(spark, s, "pretrain-mlm")) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<MultiDataSet> batches = jsc.parallelize(rows, Math.max(1, jsc.defaultParallelism()))
                    .mapPartitions(new MlmBatcher(
                            vocab.toString(),
                            p.lowercase(),
                            p.maxLength(),
                            masking,
                            p.copies(),
                            s.averaging().batchSizePerWorker()));
            LOG.info(
                    "pretrain-mlm: {} examples x {} copies of {}, model {}",
                    rows.size(),
                    p.copies(),
                    p.corpus(),
                    config);
            ComputationGraph fresh = TextEncoderGraph.createMaskedLm(
                    config, p.maxLength(), s.optimization().builder(DataType.FLOAT));
            String dataId = p.corpus();
            TrainingLoop.Outcome outcome = TrainingLoop.run(
                    spark,
                    s,
                    fresh,
                    net -> {},
                    dataId,
                    new RunRecord.Data(dataId, "text", null, (long) rows.size(), null, null, null),
                    batches,
                    p.copies(),
                    resume,
                    "pretrain-mlm");
            Summary summary = outcome.run().finish(outcome.end().iteration(), () -> {
                Path dir = Path.of(outcome.runDir().toUri()).resolve(MODEL_DIR);
                // exported from a copy of the parameters in a freshly built graph (defensive: an empty q/k/v slice of
                // the trained network's views was first taken for this; the fix is in TextWeights.export)
                ComputationGraph copy = TextEncoderGraph.createMaskedLm(
                        config, p.maxLength(), s.optimization().builder(DataType.FLOAT));
                copy.setParams(outcome.network().params().dup());
                export(copy, modelConfig, vocab, dir);
                return new Summary(
                        outcome.end().iteration(),
                        outcome.firstLoss(),
                        outcome.end().loss(),
                        rows.size(),
                        dir.toString());
            });
            LOG.info("pretrain-mlm summary: {}", summary);
            return summary;
        }
    }

    /** The Hugging Face folder: config.json (the model config as given), model.safetensors, vocab.txt. */
    static void export(ComputationGraph network, Path modelConfig, Path vocab, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(modelConfig, dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(vocab, dir.resolve("vocab.txt"), StandardCopyOption.REPLACE_EXISTING);
        TextWeights.write(network, dir.resolve(WEIGHTS), DType.F32);
    }

    private static Path existing(String key, String path) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(
                    PretrainMlmSettings.SECTION + "." + key + ": " + path + " does not exist");
        }
        return p;
    }

    /** (file:line, text) of every non-blank line of the file or the directory's files (sorted); text after a TAB. */
    static List<Tuple2<String, String>> readCorpus(Path corpus) throws IOException {
        List<Path> files;
        if (Files.isDirectory(corpus)) {
            try (Stream<Path> list = Files.list(corpus)) {
                files = list.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(corpus);
        }
        List<Tuple2<String, String>> rows = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            }
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                String text = line.substring(line.indexOf('\t') + 1).strip();
                if (!text.isEmpty()) {
                    rows.add(new Tuple2<>(file.getFileName() + ":" + (n + 1), text));
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(PretrainMlmSettings.SECTION + ".corpus: " + corpus + " holds no text");
        }
        return rows;
    }
}
