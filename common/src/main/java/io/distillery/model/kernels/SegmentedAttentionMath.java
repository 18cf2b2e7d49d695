package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An attention block ({@link AttentionMath}: post-norm {@code norm1(x + attn(x))}, or BEiT's pre-norm with layer
 * scale and a relative position bias on the image segment) on a two-segment stream
 * {@code [image tokens ; text tokens]} whose queries attend within their own segment only ({@link SegmentMask}), as a
 * graph layer: the input is [B, T*D + Tt] with T = Ti + Tt, the stream then the text attention mask (1 real, 0 pad),
 * a MergeVertex of the stream and the graph's mask input. The backward pass is AttentionMath's; the mask columns get
 * a zero gradient.
 */
public final class SegmentedAttentionMath implements NativeLayerMath {
    private final int imageTokens;
    private final int textTokens;
    private final int dim;
    private final AttentionMath attention;

    public SegmentedAttentionMath(int imageTokens, int textTokens, int dim, int heads, double eps) {
        this(imageTokens, textTokens, dim, heads, eps, false, 0);
    }

    /**
     * @param beit       BEiT's pre-norm block with layer scale, else data2vec 2.0's post-norm
     * @param relPosGrid the image's patch grid side for the relative position bias (0: none)
     */
    public SegmentedAttentionMath(
            int imageTokens, int textTokens, int dim, int heads, double eps, boolean beit, int relPosGrid) {
        if (relPosGrid > 0 && imageTokens != relPosGrid * relPosGrid + 1) {
            throw new IllegalArgumentException("a relative position bias over a " + relPosGrid + " x " + relPosGrid
                    + " grid needs an image segment of CLS + every patch, got " + imageTokens + " tokens");
        }
        this.imageTokens = imageTokens;
        this.textTokens = textTokens;
        this.dim = dim;
        this.attention = new AttentionMath(beit, imageTokens + textTokens, dim, heads, eps, relPosGrid);
    }

    private long width() {
        return (long) (imageTokens + textTokens) * dim;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long width = width();
        if (input.size(1) != width + textTokens) {
            throw new IllegalArgumentException("segmented attention takes [batch, (" + imageTokens + " + " + textTokens
                    + ") x " + dim + " + " + textTokens + "] (image and text tokens, then the text attention mask),"
                    + " got " + input.size(1) + " columns");
        }
        int batch = Math.toIntExact(input.size(0));
        DataType type = input.dataType();
        int[] mask = IntegerColumns.read(input, width, textTokens, "the text attention mask");
        SegmentMask segments = SegmentMask.of(mask, batch, imageTokens, textTokens, type);
        // a dense copy of the token columns: the attention keeps it as its input for the backward pass
        INDArray x = NativeLayerMath.buffers(saved).obtain("segmented.x", type, batch, width);
        x.assign(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        if (saved != null) {
            saved.put("segmented.x", x);
        }
        return attention.forward(x, p, saved, output, null, segments);
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long width = width();
        long batch = epsilon.size(0);
        DataType type = epsilon.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray dx = attention.backward(
                epsilon, saved.get("segmented.x"), p, g, saved, (t, shape) -> scratch.obtain("segmented.dx", t, shape));
        INDArray dInput = inputGrad.create(type, batch, width + textTokens);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(dx);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + textTokens))
                .assign(0); // the mask is data, not differentiable
        return dInput;
    }
}
