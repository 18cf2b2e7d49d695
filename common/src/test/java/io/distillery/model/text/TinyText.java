package io.distillery.model.text;

import io.distillery.model.bert.BertConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A tiny BERT and a padded batch for the text graph's tests. */
final class TinyText {
    /** vocab 11, hidden 8, 2 layers, 2 heads, FFN 12, 7 positions, 2 token types. */
    static final BertConfig CONFIG = new BertConfig(11, 8, 2, 2, 12, 7, 2, 1e-12);

    static final int TOKENS = 5;

    private TinyText() {}

    /** Three rows: 5 real tokens; 3 real then 2 pads; 2 pads then 3 real. Ids repeat within and across rows. */
    static INDArray[] inputs(DataType type) {
        INDArray ids = Nd4j.create(new double[][] {{2, 7, 7, 4, 3}, {2, 5, 3, 0, 0}, {0, 0, 2, 7, 3}})
                .castTo(type);
        INDArray types = Nd4j.create(new double[][] {{0, 0, 0, 1, 1}, {0, 1, 1, 0, 0}, {0, 0, 0, 1, 1}})
                .castTo(type);
        INDArray mask = Nd4j.create(new double[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}})
                .castTo(type);
        return new INDArray[] {ids, types, mask};
    }

    /** MLM labels for {@link #inputs}: three positions to predict, -100 elsewhere (pads included). */
    static INDArray labels(DataType type) {
        return Nd4j.create(new double[][] {
                    {-100, 9, -100, -100, 1}, {-100, -100, 10, -100, -100}, {-100, -100, -100, -100, -100}
                })
                .castTo(type);
    }
}
