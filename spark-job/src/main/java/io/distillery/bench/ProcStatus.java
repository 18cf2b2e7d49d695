package io.distillery.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's peak resident set size, from Linux's {@code /proc/self/status}. */
final class ProcStatus {
    private ProcStatus() {}

    /** VmHWM in KiB (heap, ND4J's off-heap arrays and native libraries alike), or -1 where /proc is missing. */
    static long peakRssKib() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
