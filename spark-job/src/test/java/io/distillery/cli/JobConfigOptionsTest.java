package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every job command takes --config and --set from the one mixin, applied to its own section. */
class JobConfigOptionsTest {

    @Test
    void everyJobCommandReadsItsConfigFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.conf");
        for (String command : new String[] {"extract", "train", "finetune", "evaluate"}) {
            assertThat(runCapturingErr(command, "--config", missing.toString()))
                    .isEqualTo("distillery " + command + ": error: --config " + missing + " does not exist");
        }
    }

    @Test
    void setOverridesTheFileForTheCommandsSection(@TempDir Path dir) throws Exception {
        Path job = Files.writeString(
                dir.resolve("extract.conf"),
                "distillery.extract { input.path = /in, "
                        + "output.path = /out, teacher.checkpoint = /t.safetensors, batch-size = 8 }");
        assertThat(runCapturingErr("extract", "--config", job.toString(), "--set", "batch-size=0"))
                .isEqualTo("distillery extract: error: distillery.extract.batch-size must be >= 1, got 0");
    }
}
