package io.distillery.model;

import static io.distillery.model.ParityAssert.ACTIVATION_TOL;
import static io.distillery.model.ParityAssert.TARGET_TOL;
import static io.distillery.model.ParityAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.layers.RelativePositionIndex;
import io.distillery.npy.ParityFiles;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The DL4J BEiT v2 teacher against timm's own outputs (parity fixtures, float32). */
class BeitV2ParityTest {
    private static final int DEPTH = 4;
    private static Encoder teacher;
    private static EncoderActivations acts;

    @BeforeAll
    static void runTeacher() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        teacher = EncoderLoader.load(config, ParityFiles.file("teacher_beitv2/weights.safetensors"));
        acts = teacher.forward(ParityFiles.array("input"));
    }

    @Test
    void configIsReadFromTheFixtureJson() {
        ModelConfig c = teacher.config();
        assertThat(c.family()).isEqualTo(ModelFamily.BEITV2);
        assertThat(c.depth()).isEqualTo(DEPTH);
        assertThat(c.layerNormEps()).isEqualTo(1e-6);
        assertThat(c.tokens()).isEqualTo(17);
    }

    @Test
    void relativePositionIndexMatchesTimmExactly() {
        INDArray expected = ParityFiles.array("teacher_beitv2/rel_pos_index");
        int[][] index = RelativePositionIndex.index(4);
        for (int i = 0; i < 17; i++) {
            for (int j = 0; j < 17; j++) {
                assertThat(index[i][j]).as("index[%d][%d]", i, j).isEqualTo((int) expected.getFloat(i, j));
            }
        }
    }

    @Test
    void relativePositionBiasGathersTheTablePerBlock() {
        INDArray expected = ParityFiles.array("teacher_beitv2/rel_pos_bias"); // [L, H, T, T]
        int[][] index = RelativePositionIndex.index(4);
        for (int b = 0; b < DEPTH; b++) {
            INDArray table = teacher.graph().getLayer(VertexNames.attention(b)).getParam("relTable");
            INDArray bias = Nd4j.create(4, 17, 17);
            for (int h = 0; h < 4; h++) {
                for (int i = 0; i < 17; i++) {
                    for (int j = 0; j < 17; j++) {
                        bias.putScalar(new long[] {h, i, j}, table.getFloat(index[i][j], h));
                    }
                }
            }
            assertThat(ParityAssert.maxAbsDiff(bias, expected.slice(b)))
                    .as("block %d", b)
                    .isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void embeddingsBlockOutputsAndMlpOutputsMatch() {
        assertClose("teacher_beitv2/embed", acts.embeddings(), ACTIVATION_TOL);
        for (int b = 0; b < DEPTH; b++) {
            String ll = String.format("%02d", b + 1);
            assertClose("teacher_beitv2/block_out_" + ll, acts.blockOutputs().get(b), ACTIVATION_TOL);
            assertClose("teacher_beitv2/mlp_out_" + ll, acts.mlpOutputs().get(b), ACTIVATION_TOL);
        }
    }

    @Test
    void pooledOutputAndNormalisedTokensMatch() {
        assertClose("teacher_beitv2/pooled", teacher.head().pooled(acts.lastBlockOutput()), ACTIVATION_TOL);
        assertClose(
                "teacher_beitv2/final_norm_tokens", teacher.head().normTokens(acts.lastBlockOutput()), ACTIVATION_TOL);
    }

    @Test
    void everyTargetVariantMatchesFairseq() {
        for (int k : new int[] {DEPTH, 2}) {
            String top = k == DEPTH ? "topall" : "top2";
            TargetRecipe ffn = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, k, 1e-5);
            TargetRecipe block = new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, k, 1e-5);
            assertClose(
                    "teacher_beitv2/target_d2v_ffn_" + top,
                    ContextualizedTargets.compute(acts.ffnBranches(), ffn),
                    TARGET_TOL);
            assertClose(
                    "teacher_beitv2/target_d2v_ffn_" + top + "_avg",
                    ContextualizedTargets.average(acts.ffnBranches(), ffn),
                    TARGET_TOL);
            assertClose(
                    "teacher_beitv2/target_d2v_ffnnoscale_" + top,
                    ContextualizedTargets.compute(acts.mlpOutputs(), ffn),
                    TARGET_TOL);
            assertClose(
                    "teacher_beitv2/target_d2v_block_" + top,
                    ContextualizedTargets.compute(acts.blockOutputs(), block),
                    TARGET_TOL);
        }
    }

    @Test
    void ffnBranchIsLayerScaledMlp() {
        List<INDArray> ffn = acts.ffnBranches();
        INDArray gamma = teacher.graph().getLayer(VertexNames.block(0)).getParam("gamma2");
        INDArray manual = acts.mlpOutputs().get(0).mul(gamma.reshape(1, 1, 64));
        assertThat(ParityAssert.maxAbsDiff(ffn.get(0), manual)).isZero();
    }
}
