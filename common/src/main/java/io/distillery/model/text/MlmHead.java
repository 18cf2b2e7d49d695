package io.distillery.model.text;

import io.distillery.model.kernels.MlmHeadMath;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertForMaskedLM} head, {@code cls.predictions} ({@link MlmHeadMath}): transform (dense,
 * GELU, LayerNorm) then a decoder to vocabulary logits [B, T*V], at every position as transformers computes them
 * (the loss reads the predicted ones; at BERT-base size, T 128 and batch 8, the logits are 125 MB of floats).
 *
 * <p>The decoder is <b>untied</b>: transformers ties {@code cls.predictions.decoder.weight} to the word embeddings,
 * but a DL4J parameter belongs to one layer, so here it is a parameter of its own, initialised from the word
 * embeddings when weights are loaded ({@link TextWeights#load}), and trained apart from them afterwards. An export
 * writes it under its own name; a PyTorch model loaded with {@code tie_word_embeddings=True} would replace it by
 * the word embeddings.
 */
public class MlmHead extends SameDiffLayer {
    private int tokens;
    private int dim;
    private int vocab;
    private double eps;

    protected MlmHead() {}

    public MlmHead(int tokens, int dim, int vocab, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.vocab = vocab;
        this.eps = eps;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("denseW", dim, dim);
        params.addBiasParam("denseB", dim);
        params.addBiasParam("normW", dim);
        params.addBiasParam("normB", dim);
        params.addWeightParam("decoderW", vocab, dim);
        params.addBiasParam("decoderB", vocab);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        NativeOnly.normal(params.get("denseW"));
        params.get("denseB").assign(0);
        params.get("normW").assign(1);
        params.get("normB").assign(0);
        NativeOnly.normal(params.get("decoderW"));
        params.get("decoderB").assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        throw new UnsupportedOperationException("the MLM head has no SameDiff definition (native engine only)");
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        return NativeOnly.instantiate(
                this, new MlmHeadMath(tokens, dim, eps), conf, index, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * vocab);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
    }

    public int getTokens() {
        return tokens;
    }

    public void setTokens(int tokens) {
        this.tokens = tokens;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public int getVocab() {
        return vocab;
    }

    public void setVocab(int vocab) {
        this.vocab = vocab;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
