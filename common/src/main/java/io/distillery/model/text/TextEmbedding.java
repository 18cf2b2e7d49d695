package io.distillery.model.text;

import io.distillery.model.kernels.TextEmbeddingMath;
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
 * BERT's embeddings (word + learned position + token type, then LayerNorm) as a trainable layer
 * ({@link TextEmbeddingMath}). Input [B, 2T]: a MergeVertex of the token ids and the token type ids; output [B, T*D].
 */
public class TextEmbedding extends SameDiffLayer {
    private int tokens;
    private int dim;
    private int vocab;
    private int positions;
    private int typeVocab;
    private double eps;

    protected TextEmbedding() {}

    public TextEmbedding(int tokens, int dim, int vocab, int positions, int typeVocab, double eps) {
        if (tokens > positions) {
            throw new IllegalArgumentException(
                    tokens + " tokens, but the model has " + positions + " positions (max_position_embeddings)");
        }
        this.tokens = tokens;
        this.dim = dim;
        this.vocab = vocab;
        this.positions = positions;
        this.typeVocab = typeVocab;
        this.eps = eps;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("wordW", vocab, dim);
        params.addWeightParam("posW", positions, dim);
        params.addWeightParam("typeW", typeVocab, dim);
        params.addBiasParam("normW", dim);
        params.addBiasParam("normB", dim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        NativeOnly.normal(params.get("wordW"));
        NativeOnly.normal(params.get("posW"));
        NativeOnly.normal(params.get("typeW"));
        params.get("normW").assign(1);
        params.get("normB").assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        throw new UnsupportedOperationException("the text embedding has no SameDiff definition (native engine only)");
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
                this, new TextEmbeddingMath(tokens, dim, eps), conf, index, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * dim);
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

    public int getPositions() {
        return positions;
    }

    public void setPositions(int positions) {
        this.positions = positions;
    }

    public int getTypeVocab() {
        return typeVocab;
    }

    public void setTypeVocab(int typeVocab) {
        this.typeVocab = typeVocab;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
