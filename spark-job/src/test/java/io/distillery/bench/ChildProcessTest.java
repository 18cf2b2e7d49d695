package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {
    @TempDir
    Path dir;

    @Test
    void returnsTheLastJsonLineAndPassesTheThreadEnvironment() throws Exception {
        List<String> command = List.of(
                "sh",
                "-c",
                "echo '{\"first\": 1}'; echo noise; echo \"{\\\"omp\\\": \\\"$OMP_NUM_THREADS\\\", "
                        + "\\\"blas\\\": \\\"$OPENBLAS_NUM_THREADS\\\"}\"; echo trailing log line >&2");
        JsonNode json = ChildProcess.run(command, ChildProcess.threadEnv(3), dir.resolve("logs/child.log"));
        assertThat(json.path("omp").asText()).isEqualTo("3");
        assertThat(json.path("blas").asText()).isEqualTo("3");
        assertThat(json.has("first")).isFalse();
        assertThat(dir.resolve("logs/child.log")).content().contains("noise", "trailing log line");
    }

    @Test
    void aFailingChildIsAnErrorWithItsLogTail() {
        List<String> command = List.of("sh", "-c", "echo '{\"ok\": 1}'; echo boom >&2; exit 3");
        assertThatThrownBy(() -> ChildProcess.run(command, Map.of(), dir.resolve("fail.log")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("boom");
    }

    @Test
    void aChildWithoutJsonIsAnError() {
        assertThatThrownBy(() -> ChildProcess.run(List.of("sh", "-c", "echo hello"), Map.of(), dir.resolve("n.log")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no JSON line");
    }

    @Test
    void theJavaCommandRunsTheClassWithThisJvmsClassPath() {
        List<String> command = ChildProcess.java(EngineProbe.class, List.of("-Dx=y"), "beit-small", "3", "1");
        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command)
                .containsSubsequence(
                        "-Dx=y",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngineProbe.class.getName(),
                        "beit-small",
                        "3",
                        "1");
    }
}
