package io.distillery.model.layers;

import io.distillery.model.kernels.AttentionMapMath;
import io.distillery.model.kernels.AttentionMath;
import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.kernels.NativeLayerMath;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * An {@link AttentionSublayer} (same parameters, names and checkpoint keys) whose output also carries its
 * attention probabilities after the softmax: {@code [B, T*D + H*T*T]} (see {@link AttentionMapMath}). A training
 * graph uses it only in the blocks an attention-map loss reads, and splits the output with two subset vertices
 * (the sublayer's output to the rest of the block, the probabilities to the loss); every other block, and every
 * graph without such a loss, keeps the plain sublayer.
 *
 * <p>Native engine only: the SameDiff definition of the attention keeps its probabilities inside the layer's graph.
 */
public class AttentionMapSublayer extends AttentionSublayer {
    protected AttentionMapSublayer() {}

    public AttentionMapSublayer(
            BlockStyle style,
            int tokens,
            int dim,
            int heads,
            double eps,
            int relPosGrid,
            double initValues,
            String checkpointPrefix) {
        super(style, tokens, dim, heads, eps, relPosGrid, initValues, checkpointPrefix);
    }

    /** Width of the sublayer's own output, the first part of each row. */
    public long outputWidth() {
        return (long) tokens * dim;
    }

    /** Width of the probabilities [H, T, T], the second part of each row. */
    public long probabilitiesWidth() {
        return (long) getHeads() * tokens * tokens;
    }

    @Override
    public NativeLayerMath nativeMath() {
        return new AttentionMapMath((AttentionMath) super.nativeMath(), tokens, dim, getHeads());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(outputWidth() + probabilitiesWidth());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
            int index,
            org.nd4j.linalg.api.ndarray.INDArray paramsView,
            boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType dataType) {
        if (!NativeEngine.enabled(dataType)) {
            throw new UnsupportedOperationException("attention-map losses need the native engine (ND4J's CPU backend,"
                    + " FLOAT or DOUBLE, without -Ddistillery.engine=samediff); got " + dataType + " on the SameDiff"
                    + " engine, whose attention keeps its probabilities inside the layer");
        }
        return io.distillery.model.kernels.NativeLayer.create(
                this, nativeMath(), conf, index, paramsView, initializeParams, dataType);
    }
}
