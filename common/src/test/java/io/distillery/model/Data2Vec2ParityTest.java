package io.distillery.model;

import static io.distillery.model.ParityAssert.ACTIVATION_TOL;
import static io.distillery.model.ParityAssert.TARGET_TOL;
import static io.distillery.model.ParityAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.layers.SinCosPositions;
import io.distillery.npy.ParityFiles;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The DL4J data2vec 2.0 student against fairseq's own outputs (parity fixtures, float32). */
class Data2Vec2ParityTest {
    private static final int DEPTH = 3;
    private static Encoder student;
    private static EncoderActivations acts;

    @BeforeAll
    static void runStudent() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        student = EncoderLoader.load(config, ParityFiles.file("student_d2v2/weights.safetensors"));
        acts = student.forward(ParityFiles.array("input"));
    }

    @Test
    void configIsReadFromTheFixtureJson() {
        assertThat(student.config().family()).isEqualTo(ModelFamily.DATA2VEC2);
        assertThat(student.config().depth()).isEqualTo(DEPTH);
        assertThat(student.head()).isNull();
    }

    @Test
    void sinCosTableMatchesMae() {
        assertClose("student_d2v2/pos_embed", Nd4j.create(SinCosPositions.table(4, 64)), 1e-6);
    }

    @Test
    void embeddingsNormedInputBlocksAndMlpsMatch() {
        assertClose("student_d2v2/embed", acts.embeddings(), ACTIVATION_TOL);
        assertClose("student_d2v2/block_in", acts.blockInput(), ACTIVATION_TOL);
        for (int b = 0; b < DEPTH; b++) {
            String ll = String.format("%02d", b + 1);
            assertClose("student_d2v2/block_out_" + ll, acts.blockOutputs().get(b), ACTIVATION_TOL);
            assertClose("student_d2v2/mlp_out_" + ll, acts.mlpOutputs().get(b), ACTIVATION_TOL);
        }
    }

    @Test
    void everyTargetVariantMatchesFairseq() {
        for (int k : new int[] {DEPTH, 2}) {
            String top = k == DEPTH ? "topall" : "top2";
            TargetRecipe ffn = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, k, 1e-5);
            TargetRecipe block = new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, k, 1e-5);
            assertClose(
                    "student_d2v2/target_d2v_ffn_" + top,
                    ContextualizedTargets.compute(acts.ffnBranches(), ffn),
                    TARGET_TOL);
            assertClose(
                    "student_d2v2/target_d2v_ffn_" + top + "_avg",
                    ContextualizedTargets.average(acts.ffnBranches(), ffn),
                    TARGET_TOL);
            assertClose(
                    "student_d2v2/target_d2v_block_" + top,
                    ContextualizedTargets.compute(acts.blockOutputs(), block),
                    TARGET_TOL);
        }
    }
}
