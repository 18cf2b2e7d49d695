package io.distillery.model;

/** Names of the vertices of an encoder graph (no underscores: DL4J joins vertex and parameter names with one). */
public final class VertexNames {
    public static final String INPUT = "pixels";
    public static final String EMBED = "embed";
    public static final String EMBED_NORM = "embed.norm";

    private VertexNames() {}

    public static String attention(int block) {
        return "blocks." + block + ".attn";
    }

    /**
     * The attention sublayer's own output when the sublayer also emits its probabilities (an attention-map loss
     * reads the block): what the block's MLP and merge read instead of {@link #attention(int)}.
     */
    public static String attentionOutput(int block) {
        return attention(block) + ".out";
    }

    /** The attention probabilities [H, T, T] of a block whose sublayer emits them. */
    public static String attentionProbabilities(int block) {
        return attention(block) + ".probs";
    }

    public static String mlp(int block) {
        return "blocks." + block + ".mlp";
    }

    public static String merge(int block) {
        return "blocks." + block + ".merge";
    }

    /** The block's output vertex. */
    public static String block(int block) {
        return "blocks." + block;
    }
}
