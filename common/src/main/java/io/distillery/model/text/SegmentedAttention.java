package io.distillery.model.text;

import io.distillery.model.kernels.NativeLayerMath;
import io.distillery.model.kernels.SegmentedAttentionMath;
import io.distillery.model.layers.AttentionSublayer;
import io.distillery.model.layers.BlockStyle;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The post-norm {@link AttentionSublayer} (same parameters and init) shared by two modalities: it runs on the
 * per-sample concatenation {@code [image tokens ; text tokens]} and each query attends only within its own segment,
 * text queries to real text tokens only ({@link SegmentedAttentionMath}). Input [B, (Ti+Tt)*D + Tt]: a MergeVertex of
 * the stream and the graph's text attention mask; output [B, (Ti+Tt)*D].
 */
public class SegmentedAttention extends AttentionSublayer {
    private int imageTokens;

    protected SegmentedAttention() {}

    public SegmentedAttention(
            int imageTokens, int textTokens, int dim, int heads, double eps, String checkpointPrefix) {
        super(BlockStyle.DATA2VEC_POST_NORM, imageTokens + textTokens, dim, heads, eps, 0, 0, checkpointPrefix);
        if (imageTokens < 1 || textTokens < 1) {
            throw new IllegalArgumentException(
                    "segmented attention needs tokens in both segments, got " + imageTokens + " and " + textTokens);
        }
        this.imageTokens = imageTokens;
    }

    @Override
    protected SDVariable reshapeInput(SDVariable input) {
        throw new UnsupportedOperationException("segmented attention has no SameDiff definition (native engine only)");
    }

    @Override
    public NativeLayerMath nativeMath() {
        return new SegmentedAttentionMath(imageTokens, tokens - imageTokens, dim, getHeads(), getEps());
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        return NativeOnly.instantiate(this, nativeMath(), conf, index, paramsView, initializeParams, dataType);
    }

    public int getImageTokens() {
        return imageTokens;
    }

    public void setImageTokens(int imageTokens) {
        this.imageTokens = imageTokens;
    }
}
