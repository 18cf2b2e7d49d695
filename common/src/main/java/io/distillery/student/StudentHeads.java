package io.distillery.student;

import io.distillery.losses.CosineLoss;
import io.distillery.model.ModelConfig;
import io.distillery.model.VertexNames;
import io.distillery.objective.LossSpec;
import io.distillery.objective.TermLossFunction;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * The heads of the non-d2v losses on top of the student encoder: the pooled features ({@code fc_norm}, timm Beit's
 * {@code global_pool='avg'}), the classifier ({@code head}, a linear layer to C logits like
 * {@link ClassifierGraph}'s, so a distilled student exports as a timm classifier) with every logit loss summed by
 * one {@link TermLossFunction}, and one output per feature loss on the pooled features. A cosine loss whose widths
 * differ gets a learned linear projection (the student's pooled features are D_s wide, the teacher's D_t); pkt
 * compares only batch similarity structure and needs none.
 */
final class StudentHeads {
    private StudentHeads() {}

    /** Adds the heads of {@code objective} (none when it pools nothing) and returns their output vertices, in order. */
    static List<String> add(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig student, StudentObjective objective) {
        List<String> outputs = new ArrayList<>();
        if (!objective.pools()) {
            return outputs;
        }
        graph.addLayer(
                ClassifierGraph.POOL,
                new PooledTokens(student.tokens(), student.embedDim(), student.layerNormEps()),
                VertexNames.block(student.depth() - 1));
        for (StudentObjective.Output out : objective.headOutputs()) {
            TermLossFunction loss = new TermLossFunction(out.terms(), out.teacherWidth(), out.classes());
            if (out.vertex().equals(ClassifierGraph.HEAD)) {
                graph.addLayer(
                        ClassifierGraph.HEAD,
                        new OutputLayer.Builder(loss)
                                .nIn(student.embedDim())
                                .nOut(objective.classes())
                                .activation(Activation.IDENTITY)
                                .weightInit(WeightInit.XAVIER)
                                .build(),
                        ClassifierGraph.POOL);
            } else {
                String input = ClassifierGraph.POOL;
                LossSpec spec = out.terms().get(0);
                if (spec.type().equals(CosineLoss.TYPE) && out.teacherWidth() != student.embedDim()) {
                    input = StudentObjective.projection(out.vertex());
                    graph.addLayer(
                            input,
                            new DenseLayer.Builder()
                                    .nIn(student.embedDim())
                                    .nOut(out.teacherWidth())
                                    .activation(Activation.IDENTITY)
                                    .weightInit(WeightInit.XAVIER)
                                    .build(),
                            ClassifierGraph.POOL);
                }
                graph.addLayer(
                        out.vertex(),
                        new LossLayer.Builder()
                                .lossFunction(loss)
                                .activation(Activation.IDENTITY)
                                .build(),
                        input);
            }
            outputs.add(out.vertex());
        }
        return outputs;
    }
}
