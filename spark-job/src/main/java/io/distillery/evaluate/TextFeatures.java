package io.distillery.evaluate;

import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.scoring.EncoderScoring;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.TextModelFiles;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

/**
 * Executor side of text evaluation: tokenizes {@code (index, text)} pairs, runs a frozen BERT in batches and emits
 * {@code (index, feature)}, the last layer's hidden states pooled over the real tokens (attention mask 1) or its
 * [CLS] token. One encoder and tokenizer per executor JVM, shared by its tasks (the encoder only reads its weights).
 */
final class TextFeatures implements FlatMapFunction<Iterator<Tuple2<Integer, String>>, Tuple2<Integer, float[]>> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private final String model;
    private final String checkpoint;
    private final String tokenizer;
    private final boolean lowercase;
    private final int maxLength;
    private final EncoderScoring.Pooling pooling;
    private final int batchSize;

    /** This JVM's encoder and tokenizer. */
    private record Loaded(BertEncoder encoder, WordPieceTokenizer tokenizer) {}

    /**
     * @param model      a BERT preset or config.json every executor reads
     * @param checkpoint its safetensors, likewise
     * @param tokenizer  vocab.txt or tokenizer.json, likewise
     */
    TextFeatures(
            String model,
            String checkpoint,
            String tokenizer,
            boolean lowercase,
            int maxLength,
            EncoderScoring.Pooling pooling,
            int batchSize) {
        this.model = model;
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.lowercase = lowercase;
        this.maxLength = maxLength;
        this.pooling = pooling;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Tuple2<Integer, float[]>> call(Iterator<Tuple2<Integer, String>> texts) {
        Loaded loaded = LOADED.computeIfAbsent(
                model + "|" + checkpoint + "|" + tokenizer + "|" + lowercase,
                k -> load(org.apache.spark.deploy.SparkHadoopUtil.get().conf()));
        List<Tuple2<Integer, float[]>> out = new ArrayList<>();
        List<Integer> indices = new ArrayList<>(batchSize);
        List<Encoding> batch = new ArrayList<>(batchSize);
        while (texts.hasNext()) {
            Tuple2<Integer, String> next = texts.next();
            indices.add(next._1());
            batch.add(loaded.tokenizer().encode(next._2(), maxLength));
            if (batch.size() == batchSize || !texts.hasNext()) {
                float[][] features = features(loaded.encoder(), batch, pooling);
                for (int i = 0; i < features.length; i++) {
                    out.add(new Tuple2<>(indices.get(i), features[i]));
                }
                indices.clear();
                batch.clear();
            }
        }
        return out.iterator();
    }

    private Loaded load(Configuration conf) {
        try {
            BertConfig config = TextModelFiles.bertConfig(model, conf);
            BertEncoder encoder = BertEncoder.load(config, ModelFiles.localCopy(checkpoint, conf));
            WordPieceTokenizer words = TextModelFiles.tokenizer(
                    EvaluateSettings.SECTION + ".text.tokenizer",
                    tokenizer,
                    lowercase,
                    ModelFiles.localCopy(tokenizer, conf));
            return new Loaded(encoder, words);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load text model " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Pooled last-layer features [B][D] of a batch of equally long encodings. */
    static float[][] features(BertEncoder encoder, List<Encoding> batch, EncoderScoring.Pooling pooling) {
        try (BertOutputs outputs = encoder.forward(batch, Set.of())) {
            INDArray last = outputs.lastHiddenState().dup('c');
            int b = batch.size();
            int t = Math.toIntExact(last.size(1));
            int d = Math.toIntExact(last.size(2));
            float[] values = last.data().asFloat();
            last.close();
            float[][] features = new float[b][d];
            for (int r = 0; r < b; r++) {
                if (pooling == EncoderScoring.Pooling.CLS) {
                    System.arraycopy(values, r * t * d, features[r], 0, d);
                    continue;
                }
                int[] mask = batch.get(r).attentionMask();
                double[] sum = new double[d];
                int real = 0;
                for (int p = 0; p < t; p++) {
                    if (mask[p] != 0) {
                        real++;
                        int base = (r * t + p) * d;
                        for (int j = 0; j < d; j++) {
                            sum[j] += values[base + j];
                        }
                    }
                }
                for (int j = 0; j < d; j++) {
                    features[r][j] = (float) (sum[j] / Math.max(1, real));
                }
            }
            return features;
        }
    }
}
