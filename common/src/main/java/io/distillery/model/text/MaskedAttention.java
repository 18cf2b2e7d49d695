package io.distillery.model.text;

import io.distillery.model.kernels.MaskedAttentionMath;
import io.distillery.model.kernels.NativeLayerMath;
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
 * BERT's attention block: the post-norm {@link AttentionSublayer} (same parameters and init) whose padded keys are
 * masked ({@link MaskedAttentionMath}). Input [B, T*D + T]: a MergeVertex of the token stream and the graph's
 * attention mask; output [B, T*D].
 */
public class MaskedAttention extends AttentionSublayer {
    protected MaskedAttention() {}

    public MaskedAttention(int tokens, int dim, int heads, double eps) {
        super(BlockStyle.DATA2VEC_POST_NORM, tokens, dim, heads, eps, 0, 0, "");
    }

    @Override
    protected SDVariable reshapeInput(SDVariable input) {
        throw new UnsupportedOperationException("masked attention has no SameDiff definition (native engine only)");
    }

    @Override
    public NativeLayerMath nativeMath() {
        return new MaskedAttentionMath(tokens, dim, getHeads(), getEps());
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
}
