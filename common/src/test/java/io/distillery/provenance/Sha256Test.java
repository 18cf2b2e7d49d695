package io.distillery.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three inputs give the same digest, and it is the standard one (FIPS 180-2 test vector "abc"). */
class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void bytesStreamsAndFilesHashAlike(@TempDir Path dir) throws Exception {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(Sha256.of(abc)).isEqualTo(ABC);
        assertThat(Sha256.of(new ByteArrayInputStream(abc))).isEqualTo(ABC);
        assertThat(Sha256.of(Files.write(dir.resolve("abc"), abc))).isEqualTo(ABC);
        // larger than one read buffer, so the loop is exercised
        byte[] big = new byte[200_000];
        big[150_000] = 1;
        assertThat(Sha256.of(new ByteArrayInputStream(big)))
                .isEqualTo(Sha256.of(big))
                .isNotEqualTo(Sha256.of(new byte[200_000]));
    }
}
