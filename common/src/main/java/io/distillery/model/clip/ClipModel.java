package io.distillery.model.clip;

import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An open_clip ViT CLIP at inference in float32 (the image-text teacher): {@link #encodeImages} and
 * {@link #encodeTexts} are open_clip's {@code encode_image} and {@code encode_text} with {@code normalize=False},
 * {@link #logitsPerImage} is {@code get_logits}. What runs where: the blocks' LayerNorms, linear layers, attention
 * (one gemm per sample and head on the packed q/k/v projection) and exact GELU are the native kernels of
 * {@code io.distillery.model.kernels} (OpenBLAS on the arrays' buffers); the patch embedding is
 * {@code PatchEmbeddingMath}; QuickGELU's sigmoid, the token and position embeddings, pooling and normalisation
 * are plain ND4J ops.
 *
 * <p>The parameters are only read, and temporaries are per thread: one model can run passes from several threads
 * at once.
 */
public final class ClipModel {
    private final ClipConfig config;
    private final ClipImageTower image;
    private final ClipTextTower text;
    private final float logitScaleLog;

    ClipModel(ClipConfig config, ClipImageTower image, ClipTextTower text, float logitScaleLog) {
        this.config = config;
        this.image = image;
        this.text = text;
        this.logitScaleLog = logitScaleLog;
    }

    /**
     * Loads an open_clip checkpoint saved as safetensors (the names of {@code CLIP.state_dict()}, optionally all
     * under {@code module.}).
     *
     * @throws io.distillery.checkpoint.CheckpointFormatException naming the file and the first tensor that is
     *                                                           missing, mis-shaped or unexpected
     */
    public static ClipModel load(ClipConfig config, Path checkpoint) {
        return ClipWeights.load(config, checkpoint);
    }

    public ClipConfig config() {
        return config;
    }

    /**
     * @param pixels [B, 3, image_size, image_size], already resized and normalised with the model's mean and std
     * @return the image embeddings [B, embed_dim], not normalised
     */
    public INDArray encodeImages(INDArray pixels) {
        return image.forward(pixels, false).features();
    }

    /** {@link #encodeImages} that also keeps the residual stream before and after every block (for distillation). */
    public ClipTowerOutputs encodeImagesWithHiddenStates(INDArray pixels) {
        return image.forward(pixels, true);
    }

    /**
     * @param tokenIds B rows of equally many ids (at most context_length), from the CLIP tokenizer: each row is
     *                 pooled at its highest id, the end-of-text token
     * @return the text embeddings [B, embed_dim], not normalised
     */
    public INDArray encodeTexts(int[][] tokenIds) {
        return text.forward(tokenIds, false).features();
    }

    /** {@link #encodeTexts} that also keeps the residual stream before and after every block. */
    public ClipTowerOutputs encodeTextsWithHiddenStates(int[][] tokenIds) {
        return text.forward(tokenIds, true);
    }

    /** The temperature's inverse {@code exp(logit_scale)} (the checkpoint stores its log). */
    public double logitScale() {
        return Math.exp(logitScaleLog);
    }

    /**
     * {@code logitScale() * normalize(image) @ normalize(text)^T} [images, texts], open_clip's {@code get_logits}
     * (without a logit bias).
     */
    public INDArray logitsPerImage(INDArray imageFeatures, INDArray textFeatures) {
        INDArray images = normalize(imageFeatures);
        INDArray texts = normalize(textFeatures);
        INDArray logits = images.mmul(texts.transpose()).muli(logitScale());
        images.close();
        texts.close();
        return logits;
    }

    /**
     * Each row divided by its L2 norm (at least 1e-12), as {@code F.normalize(x, dim=-1)}: a new float32 array.
     */
    public static INDArray normalize(INDArray features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException(
                    "features must be [batch, embed_dim], got " + Arrays.toString(features.shape()));
        }
        INDArray out = features.castTo(DataType.FLOAT).dup('c');
        INDArray norms = out.norm2(1);
        Transforms.max(norms, 1e-12, false);
        out.diviColumnVector(norms);
        norms.close();
        return out;
    }
}
