package io.distillery.model.clip;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one tower's pass hands back: float32 arrays owned by the caller.
 *
 * @param features     the projected embeddings [B, embed_dim], not normalised (open_clip's
 *                     {@code encode_image} / {@code encode_text} with {@code normalize=False})
 * @param hiddenStates the residual stream [B, T, width]: the input of block 0 (image: after ln_pre, class token
 *                     first then the patches row by row; text: token plus position embeddings), then each block's
 *                     output (open_clip's {@code forward_intermediates} before any final norm); empty when the pass
 *                     was not asked to keep them
 */
public record ClipTowerOutputs(INDArray features, List<INDArray> hiddenStates) {
    public ClipTowerOutputs {
        hiddenStates = List.copyOf(hiddenStates);
    }
}
