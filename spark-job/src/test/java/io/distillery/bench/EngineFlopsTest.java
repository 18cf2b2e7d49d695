package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import org.junit.jupiter.api.Test;

class EngineFlopsTest {

    @Test
    void smallTeacherForwardMatchesAHandCount() {
        // img 64, patch 8 -> 64 patches, T = 65 tokens, D = 192, hidden 768, 6 blocks
        long embed = 2L * 64 * (3 * 8 * 8) * 192; //   4,718,592
        long qkv = 2L * 65 * 192 * 576; //  14,376,960
        long attention = 2L * 2 * 65 * 65 * 192; //   3,244,800 (QK^T and PV)
        long proj = 2L * 65 * 192 * 192; //   4,792,320
        long mlp = 2L * 2 * 65 * 192 * 768; //  38,338,560 (fc1 and fc2)
        assertThat(EngineFlops.forward(ExtractBenchmark.defaultTeacher()))
                .isEqualTo(embed + 6 * (qkv + attention + proj + mlp))
                .isEqualTo(369_234_432L);
    }

    @Test
    void beitBaseIsTheWellKnownViTBaseCount() {
        // ViT-B/16 at 224 px: 17.58 G multiply-adds per image (fvcore / timm tables) = 35.2 GFLOP
        ModelConfig base = ModelConfigs.presets().get("beitv2_base_patch16_224");
        assertThat(EngineFlops.forward(base) / 1e9).isCloseTo(2 * 17.58, within(0.1));
    }

    @Test
    void studentStepIsThreeForwardsPlusTheHeadProjection() {
        ModelConfig student = TrainBenchmark.student(); // 64 px, patch 8, D 128
        long projection = 2L * 64 * 128 * 192;
        assertThat(EngineFlops.studentForward(student, 128)).isEqualTo(EngineFlops.forward(student));
        assertThat(EngineFlops.studentForward(student, 192)).isEqualTo(EngineFlops.forward(student) + projection);
        assertThat(EngineFlops.trainStep(student, 192)).isEqualTo(3 * (EngineFlops.forward(student) + projection));
    }

    @Test
    void fractionOfLimitScalesWithThreads() {
        // 10 images/s x 10 GFLOP = 100 GFLOP/s: the whole of one 100 GFLOP/s core, half of two
        assertThat(EngineFlops.fractionOfLimit(10_000_000_000L, 10, 100, 1)).isCloseTo(1.0, within(1e-12));
        assertThat(EngineFlops.fractionOfLimit(10_000_000_000L, 10, 100, 2)).isCloseTo(0.5, within(1e-12));
    }
}
