package io.distillery.model.clip;

import io.distillery.model.kernels.AttentionKernel;
import io.distillery.model.kernels.Buffers;
import io.distillery.model.kernels.GeluKernel;
import io.distillery.model.kernels.LayerNormKernel;
import io.distillery.model.kernels.LinearKernel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One open_clip {@code ResidualAttentionBlock} (pre-norm) at inference: {@code x += out_proj(attn(ln_1(x)))}, then
 * {@code x += c_proj(act(c_fc(ln_2(x))))}, act the exact GELU or QuickGELU. The attention is
 * {@link AttentionKernel} on the packed {@code in_proj_weight} ([q | k | v], heads side by side in each third: the
 * layout of nn.MultiheadAttention and of open_clip's Attention), LayerNorm and the linear layers are the native
 * kernels, QuickGELU's sigmoid is ND4J's. Parameters are only read; temporaries are the calling thread's
 * {@link Buffers#scratch()}.
 *
 * @param inProjWeight [3W, W]
 * @param inProjBias   [3W]
 * @param fcWeight     [M, W]
 * @param projWeight   [W, M]
 */
record ClipBlock(
        INDArray ln1Weight,
        INDArray ln1Bias,
        INDArray inProjWeight,
        INDArray inProjBias,
        INDArray outProjWeight,
        INDArray outProjBias,
        INDArray ln2Weight,
        INDArray ln2Bias,
        INDArray fcWeight,
        INDArray fcBias,
        INDArray projWeight,
        INDArray projBias) {
    /** QuickGELU's constant: {@code x * sigmoid(1.702 x)}. */
    private static final double QUICK_GELU_SCALE = 1.702;

    /**
     * Runs the block in place on the residual stream.
     *
     * @param x          [B*T, W] dense float32, rows sample-major; overwritten with the block's output
     * @param attnBias   additive attention logits [H*T*T] (the causal mask), or null
     */
    void forwardInPlace(INDArray x, int batch, int tokens, int heads, boolean quickGelu, INDArray attnBias) {
        long rows = x.size(0);
        long width = x.size(1);
        long mlp = fcWeight.size(0);
        DataType type = x.dataType();
        Buffers buf = Buffers.scratch();
        INDArray y = buf.obtain("clip.y", type, rows, width);
        LayerNormKernel.forward(x, ln1Weight, ln1Bias, ClipConfig.LAYER_NORM_EPS, y, null, null);
        INDArray qkv = buf.obtain("clip.qkv", type, rows, 3 * width);
        LinearKernel.forward(y, inProjWeight, inProjBias, qkv);
        INDArray probs = buf.obtain("clip.probs", type, (long) batch * heads * tokens, tokens);
        INDArray context = buf.obtain("clip.context", type, rows, width);
        new AttentionKernel(batch, tokens, heads, width / heads).forward(qkv, attnBias, probs, context);
        LinearKernel.forward(context, outProjWeight, outProjBias, y);
        x.addi(y);
        LayerNormKernel.forward(x, ln2Weight, ln2Bias, ClipConfig.LAYER_NORM_EPS, y, null, null);
        INDArray hidden = buf.obtain("clip.hidden", type, rows, mlp);
        INDArray activated;
        if (quickGelu) {
            LinearKernel.forward(y, fcWeight, fcBias, hidden);
            activated = buf.obtain("clip.activated", type, rows, mlp);
            hidden.mul(QUICK_GELU_SCALE, activated);
            Transforms.sigmoid(activated, false).muli(hidden);
        } else {
            LinearKernel.forward(y, fcWeight, null, hidden);
            activated = buf.obtain("clip.activated", type, rows, mlp);
            GeluKernel.biasForward(hidden, fcBias, activated, null); // c_fc's bias added on the way into the GELU
        }
        LinearKernel.forward(activated, projWeight, projBias, y);
        x.addi(y);
    }
}
