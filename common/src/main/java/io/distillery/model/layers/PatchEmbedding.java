package io.distillery.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images {@code [B, C, H, W]} to tokens {@code [cls ; patches]}: the Conv2d with kernel = stride = p is computed as
 * patchify + matmul (identical math, and cheap to differentiate). Optional fixed sin-cos positions are added to
 * the patches only, before the CLS token is prepended (data2vec 2.0); BEiT v2 has none.
 */
public class PatchEmbedding extends TokenLayer {
    private int imgSize;
    private int patchSize;
    private int inChans;
    private boolean sinCosPositions;

    protected PatchEmbedding() {}

    public PatchEmbedding(int imgSize, int patchSize, int inChans, int dim, boolean sinCosPositions) {
        super((imgSize / patchSize) * (imgSize / patchSize) + 1, dim, "");
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("img_size " + imgSize + " is not a multiple of patch_size " + patchSize);
        }
        this.imgSize = imgSize;
        this.patchSize = patchSize;
        this.inChans = inChans;
        this.sinCosPositions = sinCosPositions;
    }

    private int grid() {
        return imgSize / patchSize;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("projW", dim, inChans, patchSize, patchSize);
        params.addBiasParam("projB", dim);
        params.addBiasParam("cls", 1, 1, dim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        truncNormal(params.get("projW"));
        params.get("projB").assign(0);
        truncNormal(params.get("cls"));
    }

    @Override
    protected SDVariable reshapeInput(SDVariable input) {
        int g = grid();
        // [B, C, H, W] (or its flat [B, C*H*W]) -> [B, G, G, C, p, p] -> [B*N, C*p*p]
        return input.reshape(-1, inChans, g, patchSize, g, patchSize)
                .permute(0, 2, 4, 1, 3, 5)
                .reshape(-1, (long) inChans * patchSize * patchSize);
    }

    @Override
    protected SDVariable defineTokens(SameDiff sd, SDVariable pixels, Map<String, SDVariable> p) {
        int patches = grid() * grid();
        SDVariable kernel = p.get("projW").reshape(dim, (long) inChans * patchSize * patchSize);
        SDVariable x =
                sd.mmul(pixels, kernel, false, true, false).add(p.get("projB")).reshape(-1, patches, dim);
        if (sinCosPositions) {
            INDArray table = Nd4j.create(SinCosPositions.table(grid(), dim)).castTo(x.dataType());
            x = x.add(sd.constant(table));
        }
        SDVariable cls = sd.zerosLike(x.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()))
                .add(p.get("cls"));
        return sd.concat(1, cls, x);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * dim);
    }

    @Override
    public io.distillery.model.kernels.NativeLayerMath nativeMath() {
        return new io.distillery.model.kernels.PatchEmbeddingMath(
                imgSize, patchSize, inChans, dim, sinCosPositions ? SinCosPositions.table(grid(), dim) : null);
    }

    @Override
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("projW", "patch_embed.proj.weight");
        keys.put("projB", "patch_embed.proj.bias");
        keys.put("cls", "cls_token");
        return keys;
    }

    public int getImgSize() {
        return imgSize;
    }

    public void setImgSize(int imgSize) {
        this.imgSize = imgSize;
    }

    public int getPatchSize() {
        return patchSize;
    }

    public void setPatchSize(int patchSize) {
        this.patchSize = patchSize;
    }

    public int getInChans() {
        return inChans;
    }

    public void setInChans(int inChans) {
        this.inChans = inChans;
    }

    public boolean isSinCosPositions() {
        return sinCosPositions;
    }

    public void setSinCosPositions(boolean sinCosPositions) {
        this.sinCosPositions = sinCosPositions;
    }
}
