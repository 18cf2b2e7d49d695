package io.distillery.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Closes a block: its input is the MergeVertex of [residual stream ; FFN branch] ({@code [B, 2*T*D]}).
 * BEiT: {@code r + gamma2 * m}; data2vec 2.0: {@code norm2(r + m)}. (SameDiffVertex is unreliable in training on
 * DL4J M2.1, hence MergeVertex + layer.)
 */
public class ResidualJoin extends TokenLayer {
    private BlockStyle style;
    private double eps;
    private double initValues;

    protected ResidualJoin() {}

    public ResidualJoin(BlockStyle style, int tokens, int dim, double eps, double initValues, String checkpointPrefix) {
        super(tokens, dim, checkpointPrefix);
        this.style = style;
        this.eps = eps;
        this.initValues = initValues;
    }

    private boolean beit() {
        return style == BlockStyle.BEIT_PRE_NORM_LAYER_SCALE;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (beit()) {
            params.addBiasParam("gamma2", dim);
        } else {
            params.addBiasParam("norm2W", dim);
            params.addBiasParam("norm2B", dim);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (beit()) {
            params.get("gamma2").assign(initValues);
        } else {
            params.get("norm2W").assign(1);
            params.get("norm2B").assign(0);
        }
    }

    @Override
    protected SDVariable reshapeInput(SDVariable input) {
        return input.reshape(-1, 2, tokens, dim);
    }

    @Override
    protected SDVariable defineTokens(SameDiff sd, SDVariable pair, Map<String, SDVariable> p) {
        SDVariable[] parts = sd.split(pair, 2, 1);
        SDVariable residual = parts[0].reshape(-1, tokens, dim);
        SDVariable branch = parts[1].reshape(-1, tokens, dim);
        if (beit()) {
            return residual.add(branch.mul(p.get("gamma2")));
        }
        return SdOps.layerNorm(sd, residual.add(branch), p.get("norm2W"), p.get("norm2B"), eps);
    }

    @Override
    public io.distillery.model.kernels.NativeLayerMath nativeMath() {
        return new io.distillery.model.kernels.ResidualJoinMath(beit(), tokens, dim, eps);
    }

    @Override
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        if (beit()) {
            keys.put("gamma2", checkpointPrefix + "gamma_2");
        } else {
            keys.put("norm2W", checkpointPrefix + "norm2.weight");
            keys.put("norm2B", checkpointPrefix + "norm2.bias");
        }
        return keys;
    }

    public BlockStyle getStyle() {
        return style;
    }

    public void setStyle(BlockStyle style) {
        this.style = style;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    public double getInitValues() {
        return initValues;
    }

    public void setInitValues(double initValues) {
        this.initValues = initValues;
    }
}
