package io.distillery.extract;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Wall time a shard spent per phase, logged with the shard so that a slow job shows where its time goes. */
final class ShardTimings {
    enum Phase {
        READ,
        DECODE,
        VIEWS,
        TEACHER,
        /** the caption teacher (BERT or CLIP's text tower) on the batch's captions */
        CAPTIONS,
        WRITE
    }

    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);

    /** Adds the time since {@code startNanos} to {@code phase}; returns now, the start of the next phase. */
    long add(Phase phase, long startNanos) {
        long now = System.nanoTime();
        nanos.merge(phase, now - startNanos, Long::sum);
        return now;
    }

    @Override
    public String toString() {
        return nanos.entrySet().stream()
                        .map(e -> String.format(
                                Locale.ROOT, "%s %.2f", e.getKey().name().toLowerCase(Locale.ROOT), e.getValue() / 1e9))
                        .collect(Collectors.joining(", "))
                + " s";
    }
}
