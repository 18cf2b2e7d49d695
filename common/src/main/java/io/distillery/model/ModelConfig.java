package io.distillery.model;

import java.util.Arrays;

/**
 * Hyper-parameters of an encoder, in the vocabulary of the fixtures' {@code config.json} (timm names). Validated
 * once at construction.
 *
 * @param family       architecture
 * @param imgSize      square input side in pixels
 * @param patchSize    square patch side in pixels
 * @param inChans      input channels
 * @param embedDim     token width D
 * @param depth        number of blocks
 * @param numHeads     attention heads
 * @param mlpRatio     FFN hidden width / D
 * @param qkvBias      whether the qkv projection has a bias (BEiT: q and v only)
 * @param layerNormEps eps of every LayerNorm inside the network
 * @param initValues   layer-scale init (BEiT); 0 = no layer scale
 * @param useRelPosBias per-block relative position bias (BEiT)
 * @param useAbsPosEmb learned absolute positions (not supported: neither BEiT v2 nor data2vec 2.0 uses them)
 * @param imageMean    per-channel mean applied after pixel/255
 * @param imageStd     per-channel std
 * @param numClasses   classifier head width (0 = none)
 */
public record ModelConfig(
        ModelFamily family,
        int imgSize,
        int patchSize,
        int inChans,
        int embedDim,
        int depth,
        int numHeads,
        double mlpRatio,
        boolean qkvBias,
        double layerNormEps,
        double initValues,
        boolean useRelPosBias,
        boolean useAbsPosEmb,
        double[] imageMean,
        double[] imageStd,
        int numClasses) {

    public ModelConfig {
        positive("img_size", imgSize);
        positive("patch_size", patchSize);
        positive("in_chans", inChans);
        positive("embed_dim", embedDim);
        positive("depth", depth);
        positive("num_heads", numHeads);
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("img_size " + imgSize + " is not a multiple of patch_size " + patchSize);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        }
        if (!(mlpRatio > 0) || Math.abs(embedDim * mlpRatio - Math.round(embedDim * mlpRatio)) > 1e-9) {
            throw new IllegalArgumentException(
                    "mlp_ratio " + mlpRatio + " must give an integer hidden width for embed_dim " + embedDim);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        }
        if (useAbsPosEmb) {
            throw new IllegalArgumentException(
                    "use_abs_pos_emb=true is not supported (BEiT v2 and data2vec 2.0 use none)");
        }
        if (family == ModelFamily.DATA2VEC2 && useRelPosBias) {
            throw new IllegalArgumentException("use_rel_pos_bias=true is not supported for data2vec2");
        }
        if (family == ModelFamily.DATA2VEC2 && embedDim % 4 != 0) {
            throw new IllegalArgumentException(
                    "data2vec2 sin-cos positions need embed_dim divisible by 4, got " + embedDim);
        }
        if (family == ModelFamily.BEITV2 && !(initValues > 0)) {
            throw new IllegalArgumentException(
                    "beitv2 needs init_values > 0 (layer scale gamma_1/gamma_2), got " + initValues);
        }
        if (family == ModelFamily.BEITV2 && !qkvBias) {
            throw new IllegalArgumentException("beitv2 without qkv_bias is not supported");
        }
        if (family == ModelFamily.DATA2VEC2 && !qkvBias) {
            throw new IllegalArgumentException("data2vec2 without qkv_bias is not supported");
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("num_classes must be >= 0, got " + numClasses);
        }
        imageMean = channelVector("image_mean", imageMean, inChans);
        imageStd = channelVector("image_std", imageStd, inChans);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + value);
        }
    }

    private static double[] channelVector(String key, double[] values, int channels) {
        if (values == null || values.length != channels) {
            throw new IllegalArgumentException(key + " must have " + channels + " values, got "
                    + (values == null ? "none" : Arrays.toString(values)));
        }
        return values.clone();
    }

    public int gridSize() {
        return imgSize / patchSize;
    }

    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Tokens per image: CLS + patches. */
    public int tokens() {
        return numPatches() + 1;
    }

    public int mlpHidden() {
        return (int) Math.round(embedDim * mlpRatio);
    }

    public ModelConfig withDepth(int newDepth) {
        return new ModelConfig(
                family,
                imgSize,
                patchSize,
                inChans,
                embedDim,
                newDepth,
                numHeads,
                mlpRatio,
                qkvBias,
                layerNormEps,
                initValues,
                useRelPosBias,
                useAbsPosEmb,
                imageMean,
                imageStd,
                numClasses);
    }

    public ModelConfig withNumClasses(int classes) {
        return new ModelConfig(
                family,
                imgSize,
                patchSize,
                inChans,
                embedDim,
                depth,
                numHeads,
                mlpRatio,
                qkvBias,
                layerNormEps,
                initValues,
                useRelPosBias,
                useAbsPosEmb,
                imageMean,
                imageStd,
                classes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return family.id() + "(img " + imgSize + ", patch " + patchSize + ", chans " + inChans + ", dim " + embedDim
                + ", depth " + depth + ", heads " + numHeads + ", mlp " + mlpRatio + ", qkv_bias " + qkvBias
                + ", eps " + layerNormEps + ", init_values " + initValues + ", rel_pos " + useRelPosBias
                + ", mean " + Arrays.toString(imageMean) + ", std " + Arrays.toString(imageStd)
                + ", classes " + numClasses + ")";
    }
}
