package io.distillery.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * First half of a transformer block: multi-head self-attention with its residual and norm.
 * BEiT: {@code x + gamma1 * attn(norm1(x))} with relative position bias; data2vec 2.0: {@code norm1(x + attn(x))}.
 */
public class AttentionSublayer extends TokenLayer {
    private BlockStyle style;
    private int heads;
    private double eps;
    /** Patch grid side for the relative position bias; 0 = no bias. */
    private int relPosGrid;

    private double initValues;

    protected AttentionSublayer() {}

    public AttentionSublayer(
            BlockStyle style,
            int tokens,
            int dim,
            int heads,
            double eps,
            int relPosGrid,
            double initValues,
            String checkpointPrefix) {
        super(tokens, dim, checkpointPrefix);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("embed_dim " + dim + " is not divisible by num_heads " + heads);
        }
        this.style = style;
        this.heads = heads;
        this.eps = eps;
        this.relPosGrid = relPosGrid;
        this.initValues = initValues;
    }

    private boolean beit() {
        return style == BlockStyle.BEIT_PRE_NORM_LAYER_SCALE;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("qkvW", 3L * dim, dim);
        params.addWeightParam("projW", dim, dim);
        params.addBiasParam("projB", dim);
        params.addBiasParam("norm1W", dim);
        params.addBiasParam("norm1B", dim);
        if (beit()) {
            params.addBiasParam("qBias", dim);
            params.addBiasParam("vBias", dim);
            params.addBiasParam("gamma1", dim);
        } else {
            params.addBiasParam("qkvB", 3L * dim);
        }
        if (relPosGrid > 0) {
            params.addBiasParam("relTable", RelativePositionIndex.tableSize(relPosGrid), heads);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        truncNormal(params.get("qkvW"));
        truncNormal(params.get("projW"));
        params.get("projB").assign(0);
        params.get("norm1W").assign(1);
        params.get("norm1B").assign(0);
        if (beit()) {
            params.get("qBias").assign(0);
            params.get("vBias").assign(0);
            params.get("gamma1").assign(initValues);
        } else {
            params.get("qkvB").assign(0);
        }
        if (relPosGrid > 0) {
            params.get("relTable").assign(0);
        }
    }

    @Override
    protected SDVariable defineTokens(SameDiff sd, SDVariable x, Map<String, SDVariable> p) {
        if (beit()) {
            SDVariable y = SdOps.layerNorm(sd, x, p.get("norm1W"), p.get("norm1B"), eps);
            return x.add(attention(sd, y, p).mul(p.get("gamma1")));
        }
        return SdOps.layerNorm(sd, x.add(attention(sd, x, p)), p.get("norm1W"), p.get("norm1B"), eps);
    }

    private SDVariable attention(SameDiff sd, SDVariable y, Map<String, SDVariable> p) {
        int headDim = dim / heads;
        SDVariable qkvBias =
                beit() ? sd.concat(0, p.get("qBias"), sd.zerosLike(p.get("qBias")), p.get("vBias")) : p.get("qkvB");
        SDVariable qkv = SdOps.linear(sd, y, p.get("qkvW"), qkvBias, dim, 3L * dim, tokens);
        SDVariable[] parts = sd.split(qkv, 3, 2);
        SDVariable q = heads(parts[0], headDim).mul(1.0 / Math.sqrt(headDim));
        SDVariable k = heads(parts[1], headDim);
        SDVariable v = heads(parts[2], headDim);
        SDVariable logits = sd.mmul(q, k, false, true, false); // [B, H, T, T]
        if (relPosGrid > 0) {
            logits = logits.add(RelativePositionBias.define(sd, p.get("relTable"), relPosGrid, heads, y.dataType()));
        }
        SDVariable weights = sd.nn.softmax(logits, 3);
        SDVariable context = sd.mmul(weights, v).permute(0, 2, 1, 3).reshape(-1, tokens, dim);
        return SdOps.linear(sd, context, p.get("projW"), p.get("projB"), dim, dim, tokens);
    }

    /** [B, T, D] to [B, H, T, hd]. */
    private SDVariable heads(SDVariable t, int headDim) {
        return t.reshape(-1, tokens, heads, headDim).permute(0, 2, 1, 3);
    }

    @Override
    public io.distillery.model.kernels.NativeLayerMath nativeMath() {
        return new io.distillery.model.kernels.AttentionMath(beit(), tokens, dim, heads, eps, relPosGrid);
    }

    @Override
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("qkvW", checkpointPrefix + "attn.qkv.weight");
        keys.put("projW", checkpointPrefix + "attn.proj.weight");
        keys.put("projB", checkpointPrefix + "attn.proj.bias");
        keys.put("norm1W", checkpointPrefix + "norm1.weight");
        keys.put("norm1B", checkpointPrefix + "norm1.bias");
        if (beit()) {
            keys.put("qBias", checkpointPrefix + "attn.q_bias");
            keys.put("vBias", checkpointPrefix + "attn.v_bias");
            keys.put("gamma1", checkpointPrefix + "gamma_1");
        } else {
            keys.put("qkvB", checkpointPrefix + "attn.qkv.bias");
        }
        if (relPosGrid > 0) {
            keys.put("relTable", checkpointPrefix + "attn.relative_position_bias_table");
        }
        return keys;
    }

    public BlockStyle getStyle() {
        return style;
    }

    public void setStyle(BlockStyle style) {
        this.style = style;
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        this.heads = heads;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    public int getRelPosGrid() {
        return relPosGrid;
    }

    public void setRelPosGrid(int relPosGrid) {
        this.relPosGrid = relPosGrid;
    }

    public double getInitValues() {
        return initValues;
    }

    public void setInitValues(double initValues) {
        this.initValues = initValues;
    }
}
