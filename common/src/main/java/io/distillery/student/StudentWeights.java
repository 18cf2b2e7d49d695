package io.distillery.student;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.PoolingHead;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves encoder weights between a plain {@link Encoder} and a training graph built on the same encoder (the encoder's
 * vertices keep their names inside training graphs, so layers are matched by name).
 */
public final class StudentWeights {
    private StudentWeights() {}

    /** Copies every encoder layer's parameters from {@code source} into the same-named layers of {@code target}. */
    public static void copyEncoder(ComputationGraph source, ComputationGraph target) {
        for (Layer layer : source.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Layer into = target.getLayer(name);
            if (into == null) {
                throw new IllegalArgumentException(
                        "training graph has no layer '" + name + "' to take encoder weights");
            }
            if (layer.numParams() != into.numParams()) {
                throw new IllegalArgumentException("layer '" + name + "' has " + layer.numParams()
                        + " parameters in the source but " + into.numParams() + " in the training graph");
            }
            if (layer.numParams() > 0) {
                into.setParams(layer.params().castTo(into.params().dataType()));
            }
        }
    }

    /**
     * Copies a pretrained model's {@code fc_norm} and classifier into the {@link ClassifierGraph#POOL} and
     * {@link ClassifierGraph#HEAD} layers of {@code target} (timm's head.weight is [classes, D], DL4J's W [D, classes]).
     *
     * @param what names the setting and file in errors
     */
    public static void copyHead(PoolingHead head, ComputationGraph target, String what) {
        if (head == null || head.classifierWeight() == null) {
            throw new IllegalArgumentException(what + ": the checkpoint has no fc_norm and classifier head (head.*)");
        }
        Map<String, org.deeplearning4j.nn.conf.graph.GraphVertex> vertices =
                target.getConfiguration().getVertices();
        if (!vertices.containsKey(ClassifierGraph.POOL) || !vertices.containsKey(ClassifierGraph.HEAD)) {
            throw new IllegalArgumentException(what
                    + ": the student has no classifier head to take it (configure a logit loss: ce, kd, dkd, lskd)");
        }
        Layer pool = target.getLayer(ClassifierGraph.POOL);
        Layer classifier = target.getLayer(ClassifierGraph.HEAD);
        INDArray w = classifier.getParam("W");
        INDArray pretrained = head.classifierWeight();
        if (pretrained.size(0) != w.size(1) || pretrained.size(1) != w.size(0)) {
            throw new IllegalArgumentException(what + ": the checkpoint's head.weight is "
                    + java.util.Arrays.toString(pretrained.shape()) + " ([classes, D]) but the student's head is "
                    + w.size(0) + " wide with " + w.size(1) + " classes");
        }
        DataType type = w.dataType();
        w.assign(pretrained.castTo(type).transpose());
        classifier.getParam("b").assign(head.classifierBias().castTo(type).reshape(1, w.size(1)));
        INDArray normW = pool.getParam("normW");
        INDArray normB = pool.getParam("normB");
        normW.assign(head.normWeight().castTo(type).reshape(normW.shape()));
        normB.assign(head.normBias().castTo(type).reshape(normB.shape()));
    }

    /** A float32 inference encoder holding the training graph's current encoder weights. */
    public static Encoder toEncoder(ComputationGraph training, ModelConfig config) {
        ComputationGraph plain = EncoderGraph.create(config, 0, DataType.FLOAT);
        for (Layer layer : plain.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0) {
                layer.setParams(training.getLayer(name).params().castTo(DataType.FLOAT));
            }
        }
        return new Encoder(config, plain, null);
    }

    /** The distillation projection W_h / b_h under {@link StudentTargetHead#checkpointKeys()} names; empty if none. */
    public static Map<String, INDArray> projection(ComputationGraph training) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (!training.getConfiguration().getVertices().containsKey(StudentGraph.HEAD)) {
            return out; // no d2v loss, no target head (getLayer would throw)
        }
        Layer head = training.getLayer(StudentGraph.HEAD);
        if (head != null && head.conf().getLayer() instanceof StudentTargetHead conf) {
            conf.checkpointKeys()
                    .forEach((param, key) -> out.put(key, head.getParam(param).dup()));
        }
        return out;
    }
}
