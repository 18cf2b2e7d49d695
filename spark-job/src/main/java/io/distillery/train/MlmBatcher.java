package io.distillery.train;

import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

/**
 * Turns (key, text) rows into MLM minibatches of {@code copies} masked copies of each: features ids, token type
 * ids and attention mask, labels the MLM labels, all float [B, maxLength] (TextEncoderGraph's inputs). Each
 * partition loads the vocabulary itself.
 */
final class MlmBatcher implements FlatMapFunction<Iterator<Tuple2<String, String>>, MultiDataSet>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String vocab;
    private final boolean lowercase;
    private final int maxLength;
    private final MlmMasking masking;
    private final int copies;
    private final int batchSize;

    MlmBatcher(String vocab, boolean lowercase, int maxLength, MlmMasking masking, int copies, int batchSize) {
        this.vocab = vocab;
        this.lowercase = lowercase;
        this.maxLength = maxLength;
        this.masking = masking;
        this.copies = copies;
        this.batchSize = batchSize;
    }

    /** One example's padded ids and the positions that may be masked (real, not special). */
    record Tokens(int[] ids, int[] attention, int[] maskable) {}

    static Tokens tokens(WordPieceTokenizer tokenizer, String text, int maxLength) {
        Encoding e = tokenizer.encode(text, maxLength);
        int[] ids = new int[maxLength];
        int[] attention = new int[maxLength];
        int[] maskable = new int[maxLength];
        java.util.Arrays.fill(ids, tokenizer.padId());
        int[] real = e.ids();
        for (int t = 0; t < real.length; t++) {
            ids[t] = real[t];
            attention[t] = e.attentionMask()[t];
            maskable[t] = attention[t] == 1 && e.specialTokensMask()[t] == 0 ? 1 : 0;
        }
        return new Tokens(ids, attention, maskable);
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Tuple2<String, String>> rows) {
        WordPieceTokenizer tokenizer;
        try {
            tokenizer = WordPieceTokenizer.fromVocab(Path.of(vocab), lowercase);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<MultiDataSet> out = new ArrayList<>();
        List<float[][]> pending = new ArrayList<>();
        while (rows.hasNext()) {
            Tuple2<String, String> row = rows.next();
            Tokens t = tokens(tokenizer, row._2(), maxLength);
            for (int copy = 0; copy < copies; copy++) {
                MlmMasking.Masked m = masking.apply(t.ids(), t.maskable(), row._1(), copy);
                pending.add(
                        new float[][] {floats(m.ids()), new float[maxLength], floats(t.attention()), floats(m.labels())
                        });
                if (pending.size() == batchSize) {
                    out.add(batch(pending));
                    pending.clear();
                }
            }
        }
        if (!pending.isEmpty()) {
            out.add(batch(pending));
        }
        return out.iterator();
    }

    private static float[] floats(int[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = values[i];
        }
        return f;
    }

    private static MultiDataSet batch(List<float[][]> examples) {
        INDArray[] arrays = new INDArray[4];
        for (int a = 0; a < 4; a++) {
            float[][] rows = new float[examples.size()][];
            for (int b = 0; b < examples.size(); b++) {
                rows[b] = examples.get(b)[a];
            }
            arrays[a] = Nd4j.create(rows).castTo(DataType.FLOAT);
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {arrays[0], arrays[1], arrays[2]}, new INDArray[] {arrays[3]});
    }
}
