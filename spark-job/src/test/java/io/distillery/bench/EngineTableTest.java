package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EngineTableTest {
    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void aRowShowsRatioGoalFractionsAndMemory() throws Exception {
        EngineTable table = new EngineTable(100);
        // beit-small: 0.369 GFLOP per image; 50 vs 100 images/s on 1 thread
        table.add(
                EngineRow.BEIT_SMALL,
                1,
                json("{\"images_per_second\": 50, \"vm_hwm_kib\": 2048, " + "\"nd4j_max_threads\": 1}"),
                json("{\"images_per_second\": 100, \"max_rss_kib\": 1024}"));
        String line = table.lastLine();
        assertThat(line)
                .contains(
                        "| 1 |",
                        "| 50.00 | 100.00 |",
                        "**0.50** (below)",
                        "≥ 0.9",
                        "| 0.37 |",
                        "| 18.5 % | 36.9 % |",
                        "| 2 MiB | 1 MiB |");
    }

    @Test
    void twoThreadsStateEachSidesSettingAndHalveTheFraction() throws Exception {
        EngineTable table = new EngineTable(100);
        table.add(
                EngineRow.BEIT_SMALL,
                2,
                json("{\"images_per_second\": 100, \"nd4j_max_threads\": 1, " + "\"blas_threads\": 2}"),
                json("{\"images_per_second\": 100, \"torch_threads\": 2, \"blas_threads\": 1}"));
        assertThat(table.lastLine())
                .contains("2 (DL4J OMP 1, OpenBLAS 2; torch 2, OpenBLAS 1)", "**1.00** |", "| 18.5 % | 18.5 % |");
    }

    @Test
    void withoutPyTorchTheRowSaysNotAvailable() throws Exception {
        EngineTable table = new EngineTable(100);
        table.add(EngineRow.D2V_STUDENT_SMALL, 1, json("{\"images_per_second\": 10}"), null);
        assertThat(table.lastLine()).contains("| 10.00 | n/a | n/a |");
        assertThat(table.lines()).hasSize(3); // header, separator, row
    }
}
