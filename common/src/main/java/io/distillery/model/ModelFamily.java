package io.distillery.model;

import java.util.Locale;

/** The two encoder architectures Distillery implements. */
public enum ModelFamily {
    /** timm {@code Beit} as used by BEiT v2 (the teacher). */
    BEITV2("beitv2"),
    /** fairseq data2vec 2.0 image encoder (the student). */
    DATA2VEC2("data2vec2");

    private final String id;

    ModelFamily(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ModelFamily fromId(String id) {
        for (ModelFamily family : values()) {
            if (family.id.equals(id.toLowerCase(Locale.ROOT))) {
                return family;
            }
        }
        throw new IllegalArgumentException("unknown model_type '" + id + "' (expected beitv2 or data2vec2)");
    }
}
