package io.distillery.model.text;

import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.kernels.NativeLayer;
import io.distillery.model.kernels.NativeLayerMath;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The text layers' implementation: the native kernels only. Their inputs carry data (token ids, attention masks)
 * that SameDiff's static graph has no cheap gather or mask for, so on another backend or data type the graph is
 * refused when it is initialised, as the masked image student is.
 */
final class NativeOnly {
    private NativeOnly() {}

    static Layer instantiate(
            AbstractSameDiffLayer layerConf,
            NativeLayerMath math,
            NeuralNetConfiguration conf,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            DataType dataType) {
        if (!NativeEngine.enabled(dataType)) {
            throw new IllegalStateException("the text encoder runs on the native engine only (ND4J's CPU backend,"
                    + " FLOAT or DOUBLE, -D" + NativeEngine.PROPERTY + "=native); got " + dataType + " on "
                    + Nd4j.getBackend().getClass().getSimpleName());
        }
        return NativeLayer.create(layerConf, math, conf, index, paramsView, initializeParams, dataType);
    }

    /** Hugging Face BERT's init ({@code initializer_range} 0.02): N(0, 0.02), not truncated. */
    static void normal(INDArray param) {
        param.assign(Nd4j.randn(param.dataType(), param.shape()).muli(0.02));
    }
}
