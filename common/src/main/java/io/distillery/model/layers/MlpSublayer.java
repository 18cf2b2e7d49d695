package io.distillery.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The FFN branch {@code fc2(GELU(fc1(.)))}, a vertex of its own so its output (what data2vec regresses) can be read
 * from the graph. BEiT applies norm2 first (pre-norm); data2vec 2.0 feeds it the already normalised stream.
 */
public class MlpSublayer extends TokenLayer {
    private int hidden;
    private boolean preNorm;
    private double eps;

    protected MlpSublayer() {}

    public MlpSublayer(int tokens, int dim, int hidden, boolean preNorm, double eps, String checkpointPrefix) {
        super(tokens, dim, checkpointPrefix);
        this.hidden = hidden;
        this.preNorm = preNorm;
        this.eps = eps;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("fc1W", hidden, dim);
        params.addBiasParam("fc1B", hidden);
        params.addWeightParam("fc2W", dim, hidden);
        params.addBiasParam("fc2B", dim);
        if (preNorm) {
            params.addBiasParam("norm2W", dim);
            params.addBiasParam("norm2B", dim);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        truncNormal(params.get("fc1W"));
        truncNormal(params.get("fc2W"));
        params.get("fc1B").assign(0);
        params.get("fc2B").assign(0);
        if (preNorm) {
            params.get("norm2W").assign(1);
            params.get("norm2B").assign(0);
        }
    }

    @Override
    protected SDVariable defineTokens(SameDiff sd, SDVariable x, Map<String, SDVariable> p) {
        SDVariable y = preNorm ? SdOps.layerNorm(sd, x, p.get("norm2W"), p.get("norm2B"), eps) : x;
        SDVariable h = SdOps.gelu(sd, SdOps.linear(sd, y, p.get("fc1W"), p.get("fc1B"), dim, hidden, tokens));
        return SdOps.linear(sd, h, p.get("fc2W"), p.get("fc2B"), hidden, dim, tokens);
    }

    @Override
    public io.distillery.model.kernels.NativeLayerMath nativeMath() {
        return new io.distillery.model.kernels.MlpMath(tokens, dim, preNorm, eps);
    }

    @Override
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("fc1W", checkpointPrefix + "mlp.fc1.weight");
        keys.put("fc1B", checkpointPrefix + "mlp.fc1.bias");
        keys.put("fc2W", checkpointPrefix + "mlp.fc2.weight");
        keys.put("fc2B", checkpointPrefix + "mlp.fc2.bias");
        if (preNorm) {
            keys.put("norm2W", checkpointPrefix + "norm2.weight");
            keys.put("norm2B", checkpointPrefix + "norm2.bias");
        }
        return keys;
    }

    public int getHidden() {
        return hidden;
    }

    public void setHidden(int hidden) {
        this.hidden = hidden;
    }

    public boolean isPreNorm() {
        return preNorm;
    }

    public void setPreNorm(boolean preNorm) {
        this.preNorm = preNorm;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
