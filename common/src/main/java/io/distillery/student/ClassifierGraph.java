package io.distillery.student;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.PoolingHead;
import io.distillery.model.VertexNames;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The finetuning graph: encoder, {@link PooledTokens} ({@code fc_norm}) and a softmax classifier ({@code head})
 * trained with cross-entropy. Exported, it is a timm Beit / data2vec checkpoint with {@code fc_norm.*} and
 * {@code head.*}.
 */
public final class ClassifierGraph {
    public static final String POOL = "fc_norm";
    public static final String HEAD = "head";

    private ClassifierGraph() {}

    public static ComputationGraph create(
            ModelConfig encoder, int classes, Optimization optimization, DataType dataType) {
        ComputationGraph net = new ComputationGraph(configuration(encoder, classes, optimization.builder(dataType)));
        net.init();
        return net;
    }

    public static ComputationGraphConfiguration configuration(
            ModelConfig encoder, int classes, NeuralNetConfiguration.Builder base) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        ComputationGraphConfiguration.GraphBuilder graph = EncoderGraph.addEncoder(base.graphBuilder(), encoder);
        graph.addLayer(
                POOL,
                new PooledTokens(encoder.tokens(), encoder.embedDim(), encoder.layerNormEps()),
                VertexNames.block(encoder.depth() - 1));
        graph.addLayer(
                HEAD,
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(encoder.embedDim())
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER)
                        .build(),
                POOL);
        graph.setOutputs(HEAD);
        return graph.build();
    }

    /**
     * The trained classifier as an inference encoder with its pooling head (config's {@code num_classes} set), ready
     * for {@link io.distillery.model.EncoderExport}.
     */
    public static Encoder toEncoder(ComputationGraph training, ModelConfig encoder) {
        int classes = (int) training.getLayer(HEAD).getParam("W").size(1);
        ModelConfig withHead = encoder.withNumClasses(classes);
        Encoder plain = StudentWeights.toEncoder(training, withHead);
        var pool = training.getLayer(POOL);
        var head = training.getLayer(HEAD);
        PoolingHead pooling = new PoolingHead(
                pool.getParam("normW").castTo(DataType.FLOAT).dup(),
                pool.getParam("normB").castTo(DataType.FLOAT).dup(),
                head.getParam("W").castTo(DataType.FLOAT).transpose().dup('c'),
                head.getParam("b").castTo(DataType.FLOAT).reshape(classes).dup(),
                withHead.layerNormEps());
        return new Encoder(withHead, plain.graph(), pooling);
    }
}
