package io.distillery.masking;

import java.util.Arrays;
import java.util.Locale;

/** How a masked student's masks are drawn ({@code student.mask.kind}). */
public enum MaskKind {
    /** data2vec 2.0's image masks: blocks mark the kept tokens ({@link BlockMask2d} with {@code inverse}). */
    INVERSE_BLOCK("inverse-block"),
    /** MAE's masks: tokens kept uniformly at random ({@link RandomMask}). */
    RANDOM("random");

    private final String configName;

    MaskKind(String configName) {
        this.configName = configName;
    }

    /** The name configs use. */
    public String configName() {
        return configName;
    }

    /** The kind a config names ({@code inverse-block} or {@code random}, case-insensitive). */
    public static MaskKind fromConfigName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (MaskKind kind : values()) {
            if (kind.configName.equals(wanted)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("mask kind '" + name + "' is not one of "
                + Arrays.stream(values()).map(MaskKind::configName).toList());
    }
}
