package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code distillery benchmark}: bad arguments give one line, exit 2, and leave no scratch folder behind. */
class BenchmarkCommandTest {

    private static Set<Path> scratchFolders() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("distillery-bench"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Set<Path> before = scratchFolders();
        assertThat(runCapturingErr("benchmark", "extract", "--images", "-5"))
                .isEqualTo("distillery benchmark: error: --images must be >= 1, got -5");
        assertThat(runCapturingErr("benchmark", "train", "--batch", "0"))
                .isEqualTo("distillery benchmark: error: --batch must be >= 1, got 0");
        assertThat(runCapturingErr("benchmark", "nothing"))
                .isEqualTo(
                        "distillery benchmark: error: unknown benchmark suite 'nothing' (known: extract, train, engine,"
                                + " mask)");
        assertThat(runCapturingErr("benchmark", "engine", "--threads", "0"))
                .isEqualTo("distillery benchmark: error: --threads must be positive, got [0]");
        assertThat(runCapturingErr("benchmark", "mask", "--clones", "0"))
                .isEqualTo("distillery benchmark: error: --clones must be >= 1, got 0");
        assertThat(runCapturingErr("benchmark", "mask", "--models", "small,huge"))
                .isEqualTo("distillery benchmark: error: unknown mask benchmark model 'huge' (known: [fmnist, small,"
                        + " base])");
        assertThat(scratchFolders()).isEqualTo(before);
    }
}
