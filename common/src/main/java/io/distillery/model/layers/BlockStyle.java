package io.distillery.model.layers;

/** How a transformer block arranges its norms and residuals. */
public enum BlockStyle {
    /** timm Beit: {@code a = x + g1*attn(norm1(x)); out = a + g2*mlp(norm2(a))}; qkv bias = (q_bias, 0, v_bias). */
    BEIT_PRE_NORM_LAYER_SCALE,
    /** fairseq data2vec 2.0 AltBlock: {@code u = norm1(x + attn(x)); out = norm2(u + mlp(u))}; plain qkv bias. */
    DATA2VEC_POST_NORM
}
