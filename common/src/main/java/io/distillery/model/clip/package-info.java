/**
 * The image-text teacher: an open_clip ViT CLIP at inference in float32.
 * {@link io.distillery.model.clip.ClipConfig#fromJson} reads an open_clip model config (refusing options it does not
 * implement, naming the key), {@link io.distillery.model.clip.ClipModel#load} reads a safetensors checkpoint in
 * open_clip's state_dict names, and {@link io.distillery.model.clip.ClipModel} encodes normalised pixels and CLIP
 * token ids into embeddings (optionally with every block's residual stream,
 * {@link io.distillery.model.clip.ClipTowerOutputs}) and gives the logit scale. Parity with open_clip is checked on
 * the tiny random CLIP of src/test/resources/clip (generate.py).
 */
package io.distillery.model.clip;
