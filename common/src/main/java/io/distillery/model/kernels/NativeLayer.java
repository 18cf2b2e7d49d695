package io.distillery.model.kernels;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A Distillery layer run by its hand-written {@link NativeLayerMath} instead of a SameDiff graph. It keeps DL4J's
 * SameDiff layer plumbing (parameter table over the flat parameter view, gradient views, JSON config), so only
 * the arithmetic changes. The forward pass in training keeps what the backward pass needs in buffers reused
 * from step to step (SameDiff's layer recomputed the forward pass inside every backward pass), results are
 * written straight into DL4J's workspaces, and every gradient is exact: no doubled-gradient workaround is needed
 * on this path.
 */
public final class NativeLayer extends SameDiffLayer {
    private final transient NativeLayerMath math;
    private transient SavedTensors saved;
    private transient boolean savedValid;

    private NativeLayer(NeuralNetConfiguration conf, DataType dataType, NativeLayerMath math) {
        super(conf, dataType);
        this.math = math;
    }

    /**
     * A layer's implementation for {@code instantiate}: this class when {@link NativeEngine#enabled} says so, else
     * DL4J's SameDiff implementation, set up exactly as {@code SameDiffLayer.instantiate} does.
     */
    public static Layer instantiate(
            AbstractSameDiffLayer layerConf,
            java.util.function.Supplier<NativeLayerMath> math,
            NeuralNetConfiguration conf,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        if (NativeEngine.enabled(dataType)) {
            return create(layerConf, math.get(), conf, index, paramsView, initializeParams, dataType);
        }
        SameDiffLayer layer = new SameDiffLayer(conf, dataType);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(layerConf.initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** What {@code SameDiffLayer.instantiate} does, with this implementation. */
    public static Layer create(
            AbstractSameDiffLayer layerConf,
            NativeLayerMath math,
            NeuralNetConfiguration conf,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        NativeLayer layer = new NativeLayer(conf, dataType, math);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = layerConf.initializer().init(conf, paramsView, initializeParams);
        params.forEach((name, array) -> Blas.requireDense(array, "parameter " + name));
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        super.setBackpropGradientsViewArray(gradients);
        gradTable.forEach((name, array) -> Blas.requireDense(array, "gradient " + name));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        savedValid = false;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (training && saved == null) {
                saved = new SavedTensors();
            }
            INDArray out = math.forward(
                    input,
                    paramTable,
                    training ? saved : null,
                    (type, shape) -> workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, type, shape));
            savedValid = training;
            return out;
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Gradient gradient = new DefaultGradient();
        INDArray result;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (!savedValid) {
                activate(true, LayerWorkspaceMgr.noWorkspaces());
            }
            result = math.backward(
                    epsilon,
                    input,
                    paramTable,
                    gradTable,
                    saved,
                    (type, shape) -> workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, shape));
            for (String name : paramTable.keySet()) {
                gradient.gradientForVariable().put(name, gradTable.get(name));
            }
        } finally {
            savedValid = false;
        }
        return new Pair<>(gradient, result);
    }

    /**
     * Inference outside DL4J's graph executor (see {@code io.distillery.model.Encoder#forward}): the result is a
     * new detached array, nothing is kept.
     */
    public INDArray infer(INDArray in) {
        return infer(in, Nd4j::createUninitialized);
    }

    /** {@link #infer(INDArray)} with the result allocated by {@code output}. */
    public INDArray infer(INDArray in, OutputAllocator output) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return math.forward(in, paramTable, null, output);
        }
    }

    /**
     * An attention layer's inference that also writes its attention probabilities into {@code probs} (see
     * {@link AttentionMath#forward(INDArray, Map, SavedTensors, OutputAllocator, INDArray)}).
     *
     * @throws IllegalStateException when this layer is not an attention layer
     */
    public INDArray inferAttention(INDArray in, OutputAllocator output, INDArray probs) {
        if (!(math instanceof AttentionMath attention)) {
            throw new IllegalStateException("layer " + getIndex() + " is not an attention layer");
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return attention.forward(in, paramTable, null, output, probs);
        }
    }

    /**
     * A block end's inference from its residual and FFN branch without merging them first (see
     * {@link ResidualJoinMath#join}); null when this layer is not a block end or the fused path does not apply.
     */
    public INDArray inferJoin(INDArray residual, INDArray branch, INDArray scaledBranch, OutputAllocator output) {
        if (!(math instanceof ResidualJoinMath join)) {
            return null;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return join.join(residual, branch, paramTable, output, scaledBranch);
        }
    }

    /** Keeps the saved buffers (the next step reuses them) but never lets a backward pass read stale ones. */
    @Override
    public void clear() {
        super.clear();
        savedValid = false;
    }
}
