package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

    @Test
    void peakRssCoversMemoryThisJvmHasTouched() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux /proc only");
        long before = ProcStatus.peakRssKib();
        byte[] touched = new byte[64 << 20];
        for (int i = 0; i < touched.length; i += 4096) {
            touched[i] = 1;
        }
        long after = ProcStatus.peakRssKib();
        assertThat(before).isPositive();
        assertThat(after).isGreaterThanOrEqualTo(before).isGreaterThanOrEqualTo(64L << 10);
        assertThat(touched[4096]).isEqualTo((byte) 1);
    }
}
