package io.distillery.student;

import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.VertexNames;
import io.distillery.model.kernels.MaskedTokensMath.Op;
import io.distillery.model.layers.Decoder2d;
import io.distillery.model.layers.MaskedTokenSelect;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

/**
 * The masked student's training graph, data2vec 2.0's efficient recipe on cached targets (fairseq's
 * {@code Data2VecMultiModel.forward} with {@code ImageEncoder}, read at commit {@code 3d262bb2}):
 *
 * <pre>
 *   pixels [B, C, H, W] -- embed ([cls ; T patches + sin-cos positions], all T)  --+
 *   mask   [B, T + 2]   (MaskInput: kept, masked indices, noise seed)  ------------+-- embed.visible ([cls ; K kept])
 *   -- embed.norm, blocks.0 .. blocks.(depth-1)       (the student's own layers on K + 1 tokens)
 *   -- decoder.input  (CLS dropped, kept tokens back on the T grid, N(0, std) mask tokens elsewhere)
 *   -- decoder        (Decoder2d: conv blocks, then a projection to the teacher's width D_t)
 *   -- decoder.masked (the M = T - K masked positions, ascending)
 *   -- loss           (L2 against the teacher's targets at those positions)
 * </pre>
 *
 * The loss is fairseq's {@code d2v_loss} averaged over masked tokens: {@code sum_d (y - t)^2 / sqrt(D_t)} per
 * masked token, every example masking exactly M tokens, so DL4J's per-example sum and minibatch mean with every
 * column weighted by {@code weight / (M sqrt(D_t))} is exactly the mean over all masked tokens of the batch. The
 * encoder's vertices have the plain encoder's names and parameter shapes (nothing in them depends on the token
 * count), so {@link StudentWeights} moves weights between this graph and an unmasked encoder, which is what gets
 * exported: the decoder is for training only.
 */
public final class MaskedStudentGraph {
    /** The graph's second input: one {@link MaskInput} row per example. */
    public static final String MASK_INPUT = "mask";

    public static final String VISIBLE = "embed.visible";
    public static final String DECODER_INPUT = "decoder.input";
    public static final String DECODER = "decoder";
    public static final String PREDICTIONS = "decoder.masked";

    private MaskedStudentGraph() {}

    /** The merge vertex that feeds {@code layer} its tokens and the mask. */
    static String withMask(String layer) {
        return layer + ".in";
    }

    /**
     * @param targetDim the teacher's width D_t (the decoder projects to it)
     * @param objective must be d2v alone: nothing else is wired for a student that sees K of T patches
     */
    public static ComputationGraphConfiguration configuration(
            ModelConfig student,
            int targetDim,
            NeuralNetConfiguration.Builder base,
            DataType dataType,
            StudentObjective objective,
            StudentMasking masking) {
        requireD2vOnly(objective);
        masking.check(student);
        MaskGenerator masks = masking.generator(student);
        int patches = masks.tokens();
        int kept = masks.keptCount();
        int masked = masks.maskedCount();
        int dim = student.embedDim();
        int grid = student.gridSize();

        ComputationGraphConfiguration.GraphBuilder graph = base.graphBuilder()
                .addInputs(VertexNames.INPUT, MASK_INPUT)
                .setInputTypes(
                        InputType.convolutional(student.imgSize(), student.imgSize(), student.inChans()),
                        InputType.feedForward(MaskInput.width(patches)))
                .addLayer(VertexNames.EMBED, EncoderGraph.patchEmbedding(student), VertexNames.INPUT);
        select(graph, VISIBLE, new MaskedTokenSelect(Op.ENCODER_INPUT, patches, kept, dim, 0), VertexNames.EMBED);
        String last = EncoderGraph.addBlocks(graph, student, kept + 1, VISIBLE);
        select(
                graph,
                DECODER_INPUT,
                new MaskedTokenSelect(Op.DECODER_INPUT, patches, kept, dim, masking.noiseStd()),
                last);
        graph.addLayer(
                DECODER,
                new Decoder2d(
                        grid,
                        grid,
                        dim,
                        masking.decoderWidth(student),
                        targetDim,
                        masking.decoderLayers(),
                        masking.decoderKernel(),
                        masking.decoderGroups(),
                        true,
                        "decoder."),
                DECODER_INPUT);
        select(graph, PREDICTIONS, new MaskedTokenSelect(Op.MASKED_PREDICTIONS, patches, kept, targetDim, 0), DECODER);
        long columns = (long) masked * targetDim;
        double weight = objective.d2vWeight() / (masked * Math.sqrt(targetDim));
        graph.addLayer(
                StudentGraph.LOSS,
                new LossLayer.Builder()
                        .lossFunction(new LossL2(Nd4j.valueArrayOf(new long[] {1, columns}, weight, dataType)))
                        .activation(Activation.IDENTITY)
                        .build(),
                PREDICTIONS);
        graph.setOutputs(StudentGraph.LOSS);
        return graph.build();
    }

    private static void select(
            ComputationGraphConfiguration.GraphBuilder graph, String name, MaskedTokenSelect layer, String tokens) {
        graph.addVertex(withMask(name), new MergeVertex(), tokens, MASK_INPUT);
        graph.addLayer(name, layer, withMask(name));
    }

    private static void requireD2vOnly(StudentObjective objective) {
        for (LossSpec spec : objective.specs()) {
            if (spec.group() != LossGroup.D2V) {
                throw new IllegalArgumentException(spec.label() + ": a masked student trains the d2v loss only (its"
                        + " encoder sees the kept patches, its decoder predicts the targets at the masked ones); drop"
                        + " the term or set student.mask.enabled = false");
            }
        }
        if (objective.d2vWeight() <= 0) {
            throw new IllegalArgumentException("a masked student needs the d2v loss");
        }
    }
}
