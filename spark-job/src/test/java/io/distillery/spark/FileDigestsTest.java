package io.distillery.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.provenance.Sha256;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {
    @Test
    void hashesAFileThroughItsFilesystemAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("w.bin"), new byte[] {1, 2, 3});
        assertThat(FileDigests.sha256(file.toUri().toString(), new Configuration()))
                .isEqualTo(Sha256.of(file));
        assertThat(FileDigests.sha256(file.toString(), new Configuration())).isEqualTo(Sha256.of(file));
        assertThatThrownBy(() -> FileDigests.sha256(dir.resolve("missing").toString(), new Configuration()))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("missing");
    }
}
