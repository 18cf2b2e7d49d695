package io.distillery.model.text;

import io.distillery.model.kernels.MaskedAttentionMath;
import io.distillery.model.kernels.NativeLayerMath;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * A {@link MaskedAttention} (same parameters, names and checkpoint keys) whose output also carries its attention
 * probabilities after the softmax: {@code [B, T*D + H*T*T]} (see {@link MaskedAttentionMath}), the text
 * counterpart of {@link io.distillery.model.layers.AttentionMapSublayer}. A text training graph uses it only in the
 * layers an attention-map loss reads and splits its output with two subset vertices.
 */
public class MaskedAttentionMap extends MaskedAttention {
    protected MaskedAttentionMap() {}

    public MaskedAttentionMap(int tokens, int dim, int heads, double eps) {
        super(tokens, dim, heads, eps);
    }

    /** Width of the block's own output, the first part of each row. */
    public long outputWidth() {
        return (long) tokens * dim;
    }

    /** Width of the probabilities [H, T, T], the second part of each row. */
    public long probabilitiesWidth() {
        return (long) getHeads() * tokens * tokens;
    }

    @Override
    public NativeLayerMath nativeMath() {
        return new MaskedAttentionMath(tokens, dim, getHeads(), getEps(), true);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(outputWidth() + probabilitiesWidth());
    }
}
