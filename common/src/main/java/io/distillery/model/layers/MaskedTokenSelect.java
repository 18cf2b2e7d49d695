package io.distillery.model.layers;

import io.distillery.masking.MaskInput;
import io.distillery.model.kernels.MaskedTokensMath;
import io.distillery.model.kernels.MaskedTokensMath.Op;
import io.distillery.model.kernels.NativeEngine;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter-free layer of the masked student that moves tokens by the example's mask ({@link MaskedTokensMath}):
 * its input is a {@code MergeVertex} of a token tensor and the graph's mask input ({@link MaskInput}), because
 * DL4J layers take one input and {@code SameDiffVertex} is unreliable in training (field notes). Native engine
 * only: the mask is data (per-example indices and noise seeds), which SameDiff's static graph has no cheap
 * gather for; on another backend or data type the graph is refused when it is initialised.
 */
public class MaskedTokenSelect extends SameDiffLayer {
    private Op op;
    private int patches;
    private int kept;
    private int dim;
    private double noiseStd;

    protected MaskedTokenSelect() {}

    /**
     * @param patches  patch tokens per example (T)
     * @param kept     tokens each mask keeps (K)
     * @param dim      token width
     * @param noiseStd std of the mask tokens ({@link Op#DECODER_INPUT} only; 0 elsewhere)
     */
    public MaskedTokenSelect(Op op, int patches, int kept, int dim, double noiseStd) {
        MaskedTokensMath.check(op, patches, kept, dim, noiseStd);
        this.op = op;
        this.patches = patches;
        this.kept = kept;
        this.dim = dim;
        this.noiseStd = noiseStd;
    }

    /** Values per example of the token part of the input. */
    public long tokenInputWidth() {
        return (long) MaskedTokensMath.inputTokens(op, patches, kept) * dim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // none
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // none
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        throw new UnsupportedOperationException(
                "the masked student's token selection has no SameDiff definition (native engine only)");
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType dataType) {
        if (!NativeEngine.enabled(dataType)) {
            throw new IllegalStateException("a masked student runs on the native engine only (ND4J's CPU backend,"
                    + " FLOAT or DOUBLE, -D" + NativeEngine.PROPERTY + "=native); got " + dataType + " on "
                    + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName());
        }
        return io.distillery.model.kernels.NativeLayer.create(
                this,
                new MaskedTokensMath(op, patches, kept, dim, noiseStd),
                conf,
                index,
                paramsView,
                initializeParams,
                dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) MaskedTokensMath.outputTokens(op, patches, kept) * dim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
    }

    public Op getOp() {
        return op;
    }

    public void setOp(Op op) {
        this.op = op;
    }

    public int getPatches() {
        return patches;
    }

    public void setPatches(int patches) {
        this.patches = patches;
    }

    public int getKept() {
        return kept;
    }

    public void setKept(int kept) {
        this.kept = kept;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public double getNoiseStd() {
        return noiseStd;
    }

    public void setNoiseStd(double noiseStd) {
        this.noiseStd = noiseStd;
    }
}
