package io.distillery.extract;

import java.util.Locale;

/** What kind of model the image teacher of an extract is ({@code teacher.kind}). */
public enum TeacherKind {
    /** A timm-format BEiT v2 / data2vec 2.0 encoder: data2vec targets per view (and the optional columns). */
    TIMM("timm"),
    /**
     * An open_clip ViT CLIP: per view its L2-normalised image embedding, per sample the normalised embedding of its
     * caption (CLIP-KD's teacher side).
     */
    OPEN_CLIP("open-clip");

    private final String id;

    TeacherKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    static TeacherKind fromConfig(String value) {
        for (TeacherKind k : values()) {
            if (value != null && k.id.equals(value.strip().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                ExtractSettings.SECTION + ".teacher.kind must be timm or open-clip, got '" + value + "'");
    }
}
