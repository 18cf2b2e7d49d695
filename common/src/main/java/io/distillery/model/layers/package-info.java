/**
 * The SameDiff layers that make up BEiT v2 and data2vec 2.0 blocks, all sharing {@link io.distillery.model.layers.SdOps}
 * (linear, LayerNorm, exact GELU, and the end-of-layer gradient fix for DL4J M2.1).
 */
package io.distillery.model.layers;
