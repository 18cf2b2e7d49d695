package io.distillery.student;

import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.kernels.NativeLayer;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's learned temperature as a graph layer: it holds {@code logScale} (init {@code ln(1/0.07)}) and appends
 * {@code exp(logScale)} to every row, {@code [B, W] -> [B, W + 1]}, so that a loss reading the last column
 * ({@link ClipContrastiveLoss}) trains it through DL4J's ordinary backward pass. The parameter is clamped to
 * {@code [0, ln 100]} in place at every forward pass: open_clip clamps it after each optimizer step, which is the
 * same value at the next forward pass. Registered as a bias parameter: no weight decay, as in open_clip.
 */
public class LogitScale extends SameDiffLayer {
    public static final String LOG_SCALE = "logScale";
    /** open_clip's {@code logit_scale} init, {@code ln(1 / 0.07)}. */
    public static final double INIT = Math.log(1 / 0.07);
    /** open_clip's clamp, {@code ln 100}. */
    public static final double MAX = Math.log(100);

    private int width;

    protected LogitScale() {}

    /** @param width the columns of the input (the two embeddings side by side) */
    public LogitScale(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("logit scale input width must be >= 1, got " + width);
        }
        this.width = width;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam(LOG_SCALE, 1, 1);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(LOG_SCALE).assign(INIT);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        throw new UnsupportedOperationException("the logit scale has no SameDiff definition (native engine only)");
    }

    @Override
    public Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        if (!NativeEngine.enabled(dataType)) {
            throw new IllegalStateException("the logit scale runs on the native engine only (ND4J's CPU backend,"
                    + " FLOAT or DOUBLE); got " + dataType + " on "
                    + Nd4j.getBackend().getClass().getSimpleName());
        }
        return NativeLayer.create(
                this, new LogitScaleMath(width, MAX), conf, index, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(width + 1L);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }
}
