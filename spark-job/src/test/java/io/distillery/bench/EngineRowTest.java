package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineRowTest {

    @Test
    void rowsHaveTheIssuesSizesAndBatches() {
        assertThat(EngineRow.BEIT_BASE.config().depth()).isEqualTo(12);
        assertThat(EngineRow.BEIT_BASE.config().embedDim()).isEqualTo(768);
        assertThat(EngineRow.BEIT_BASE.config().useRelPosBias()).isTrue();
        assertThat(EngineRow.BEIT_BASE.batch()).isEqualTo(16);
        assertThat(EngineRow.D2V_STUDENT_BASE.config().depth()).isEqualTo(6);
        assertThat(EngineRow.D2V_STUDENT_BASE.config().imgSize()).isEqualTo(224);
        assertThat(EngineRow.D2V_STUDENT_BASE.batch()).isEqualTo(8);
        assertThat(EngineRow.D2V_STUDENT_SMALL.targetDim()).isEqualTo(192);
        assertThat(EngineRow.D2V_STUDENT_SMALL.size()).contains("proj to 192");
        assertThat(EngineRow.BEIT_SMALL.config()).isEqualTo(ExtractBenchmark.defaultTeacher());
    }

    @Test
    void torchArgumentsCarryTheJavaShapes() {
        for (EngineRow row : EngineRow.values()) {
            List<String> args = Arrays.asList(row.torchArgs());
            assertThat(args).containsSubsequence("--model", row.id());
            assertThat(args).containsSubsequence("--mode", row.train() ? "train" : "forward");
            assertThat(args).containsSubsequence("--dim", "" + row.config().embedDim());
            assertThat(args).containsSubsequence("--depth", "" + row.config().depth());
            assertThat(args).containsSubsequence("--batch", "" + row.batch());
        }
    }

    @Test
    void idsRoundTripAndUnknownOnesAreNamed() {
        for (EngineRow row : EngineRow.values()) {
            assertThat(EngineRow.fromId(row.id())).isSameAs(row);
        }
        assertThatThrownBy(() -> EngineRow.fromId("beit-huge"))
                .hasMessageContaining("beit-huge")
                .hasMessageContaining("beit-base");
    }

    @Test
    void flopsAreTheStepsOfTheRow() {
        assertThat(EngineRow.BEIT_SMALL.flopsPerImage())
                .isEqualTo(EngineFlops.forward(ExtractBenchmark.defaultTeacher()));
        assertThat(EngineRow.D2V_STUDENT_SMALL.flopsPerImage())
                .isEqualTo(EngineFlops.trainStep(TrainBenchmark.student(), 192));
    }
}
