package io.distillery.objective;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The loss functions inside a built graph. They live in its config (what checkpoints and dl4j-spark's broadcasts
 * carry), so a value the training loop sets, or a restored checkpoint must not keep, is changed there.
 */
public final class GraphLosses {
    private GraphLosses() {}

    /** Sets {@code epoch} on every {@link TermLossFunction} of {@code net}'s outputs (config and live layers). */
    public static void setEpoch(ComputationGraph net, double epoch) {
        for (GraphVertex vertex : net.getConfiguration().getVertices().values()) {
            if (lossOf(vertex) instanceof TermLossFunction f) {
                f.setEpoch(epoch);
            }
        }
        for (Layer layer : net.getLayers()) {
            if (lossOf(layer.conf().getLayer()) instanceof TermLossFunction f) {
                f.setEpoch(epoch);
            }
        }
    }

    /**
     * Gives every output of {@code to} the loss function of the same-named output of {@code from}: a run resumed
     * from a checkpoint trains with the losses configured now (their weights and parameters may have changed; the
     * graph's shape may not), not with the ones saved in the checkpoint's config.
     */
    public static void copy(ComputationGraph from, ComputationGraph to) {
        from.getConfiguration().getVertices().forEach((name, vertex) -> {
            ILossFunction loss = lossOf(vertex);
            GraphVertex target = to.getConfiguration().getVertices().get(name);
            if (loss != null && target instanceof LayerVertex v) {
                set(v.getLayerConf().getLayer(), loss);
                Layer live = to.getLayer(name);
                if (live != null) {
                    set(live.conf().getLayer(), loss);
                }
            }
        });
    }

    /** The loss function of an output vertex's layer; null for any other vertex. */
    public static ILossFunction lossOf(GraphVertex vertex) {
        return vertex instanceof LayerVertex v ? lossOf(v.getLayerConf().getLayer()) : null;
    }

    private static ILossFunction lossOf(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer instanceof BaseOutputLayer out) {
            return out.getLossFn();
        }
        return layer instanceof LossLayer loss ? loss.getLossFn() : null;
    }

    private static void set(org.deeplearning4j.nn.conf.layers.Layer layer, ILossFunction loss) {
        if (layer instanceof BaseOutputLayer out) {
            out.setLossFn(loss);
        } else if (layer instanceof LossLayer l) {
            l.setLossFn(loss);
        }
    }
}
