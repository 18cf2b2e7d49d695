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
 * An {@link AttentionSublayer} (same parameters and init; data2vec 2.0's post-norm or BEiT's pre-norm style) shared by
 * two modalities: it runs on the per-sample concatenation {@code [image tokens ; text tokens]} and each query attends
 * only within its own segment, text queries to real text tokens only ({@link SegmentedAttentionMath}); BEiT's relative
 * position bias applies to the image segment. Input [B, (Ti+Tt)*D + Tt]: a MergeVertex of the stream and the graph's
 * text attention mask; output [B, (Ti+Tt)*D].
 */
public class SegmentedAttention extends AttentionSublayer {
    private int imageTokens;

    protected SegmentedAttention() {}

    /** The post-norm (data2vec 2.0) form. */
    public SegmentedAttention(
            int imageTokens, int textTokens, int dim, int heads, double eps, String checkpointPrefix) {
        this(BlockStyle.DATA2VEC_POST_NORM, imageTokens, textTokens, dim, heads, eps, 0, 0, checkpointPrefix);
    }

    /**
     * @param relPosGrid the image's patch grid side for BEiT's relative position bias (0: none); the image segment
     *                   is then CLS + that grid
     * @param initValues BEiT's layer scale init (unused post-norm)
     */
    public SegmentedAttention(
            BlockStyle style,
            int imageTokens,
            int textTokens,
            int dim,
            int heads,
            double eps,
            int relPosGrid,
            double initValues,
            String checkpointPrefix) {
        super(style, imageTokens + textTokens, dim, heads, eps, relPosGrid, initValues, checkpointPrefix);
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
        return new SegmentedAttentionMath(
                imageTokens,
                tokens - imageTokens,
                dim,
                getHeads(),
                getEps(),
                getStyle() == BlockStyle.BEIT_PRE_NORM_LAYER_SCALE,
                getRelPosGrid());
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
