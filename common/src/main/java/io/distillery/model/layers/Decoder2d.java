package io.distillery.model.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * data2vec 2.0's image decoder, fairseq's {@code Decoder2d} (examples/data2vec/models/modalities/modules.py):
 * the student's tokens on the full patch grid (visible tokens and mask tokens put back in place, no CLS) through
 * {@code layers} blocks of
 *
 * <pre>
 *   Conv2d(c_in, decoderDim, kernel, padding = kernel // 2, groups) -> SamePad2d (drops the last row and column
 *   when kernel is even) -> LayerNorm over channels (no affine, eps 1e-5) -> GELU (exact) [+ block input]
 * </pre>
 *
 * with the block input added when {@code residual} and its width equals {@code decoderDim} (fairseq's {@code
 * add_residual} checks the channel count, so block 0 has one only when the encoder is as wide as the decoder), then
 * {@code Linear(decoderDim, targetDim)} per token. fairseq projects back to the encoder width (its targets come
 * from the model's own EMA); here the target width is the teacher's. data2vec 2.0 base images: 6 blocks of 768,
 * kernel 3, 16 groups (examples/data2vec/config/v2/base_images_only_task.yaml; the dataclass defaults are 5 x
 * 384, kernel 5, 16 groups). There is no input projection: block 0's conv maps the encoder width to the decoder's.
 *
 * <p>Input {@code [B, H*W*inputDim]}, tokens row-major on the grid, channels last; output {@code [B,
 * H*W*targetDim]}. Initialisation as PyTorch's defaults, which fairseq keeps for the decoder (convs untouched by
 * {@code init_bert_params}, the projection re-initialised by {@code Decoder2d.reset_parameters}): weights and
 * biases uniform in +-1/sqrt(fan_in).
 */
public class Decoder2d extends SameDiffLayer {
    public static final double LAYER_NORM_EPS = 1e-5;

    private int height;
    private int width;
    private int inputDim;
    private int decoderDim;
    private int targetDim;
    private int layers;
    private int kernel;
    private int groups;
    private boolean residual;
    private String checkpointPrefix = "";

    protected Decoder2d() {}

    /** @param checkpointPrefix key prefix, e.g. {@code modality_encoders.IMAGE.decoder.} */
    public Decoder2d(
            int height,
            int width,
            int inputDim,
            int decoderDim,
            int targetDim,
            int layers,
            int kernel,
            int groups,
            boolean residual,
            String checkpointPrefix) {
        if (height < 1
                || width < 1
                || inputDim < 1
                || decoderDim < 1
                || targetDim < 1
                || layers < 1
                || kernel < 1
                || groups < 1) {
            throw new IllegalArgumentException("decoder sizes must be positive: grid " + height + "x" + width
                    + ", input " + inputDim + ", decoder " + decoderDim + ", target " + targetDim + ", layers "
                    + layers + ", kernel " + kernel + ", groups " + groups);
        }
        if (inputDim % groups != 0 || decoderDim % groups != 0) {
            throw new IllegalArgumentException("decoder groups " + groups + " must divide the input width " + inputDim
                    + " and the decoder width " + decoderDim);
        }
        this.height = height;
        this.width = width;
        this.inputDim = inputDim;
        this.decoderDim = decoderDim;
        this.targetDim = targetDim;
        this.layers = layers;
        this.kernel = kernel;
        this.groups = groups;
        this.residual = residual;
        this.checkpointPrefix = checkpointPrefix;
    }

    private int tokens() {
        return height * width;
    }

    private int inChannels(int block) {
        return block == 0 ? inputDim : decoderDim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        for (int b = 0; b < layers; b++) {
            params.addWeightParam(convWeight(b), decoderDim, inChannels(b) / groups, kernel, kernel);
            params.addBiasParam(convBias(b), decoderDim);
        }
        params.addWeightParam("projW", targetDim, decoderDim);
        params.addBiasParam("projB", targetDim);
    }

    private static String convWeight(int block) {
        return "conv" + block + "W";
    }

    private static String convBias(int block) {
        return "conv" + block + "B";
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        for (int b = 0; b < layers; b++) {
            double bound = 1 / Math.sqrt((double) inChannels(b) / groups * kernel * kernel);
            uniform(params.get(convWeight(b)), bound);
            uniform(params.get(convBias(b)), bound);
        }
        double bound = 1 / Math.sqrt(decoderDim);
        uniform(params.get("projW"), bound);
        uniform(params.get("projB"), bound);
    }

    private static void uniform(INDArray param, double bound) {
        param.assign(Nd4j.rand(param.dataType(), param.shape()).muli(2 * bound).subi(bound));
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable x = input.reshape(-1, height, width, inputDim);
        for (int b = 0; b < layers; b++) {
            SDVariable conv = groupedConv(sd, x, p.get(convWeight(b)), inChannels(b))
                    .add(p.get(convBias(b)).reshape(decoderDim));
            SDVariable normalized = SdOps.standardize(sd, conv.reshape(-1, tokens(), decoderDim), LAYER_NORM_EPS);
            SDVariable activated = SdOps.gelu(sd, normalized).reshape(-1, height, width, decoderDim);
            x = residual && inChannels(b) == decoderDim ? activated.add(x) : activated;
        }
        SDVariable out = SdOps.linear(
                sd,
                x.reshape(-1, tokens(), decoderDim),
                p.get("projW"),
                p.get("projB"),
                decoderDim,
                targetDim,
                tokens());
        return SdOps.layerOutput(sd, out.reshape(-1, (long) tokens() * targetDim));
    }

    /** One conv2d per group on channel slices (SameDiff's conv2d has no groups), NHWC. */
    private SDVariable groupedConv(SameDiff sd, SDVariable x, SDVariable weight, int in) {
        int inPerGroup = in / groups;
        int outPerGroup = decoderDim / groups;
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kernel)
                .kW(kernel)
                .sH(1)
                .sW(1)
                .pH(kernel / 2)
                .pW(kernel / 2)
                .dH(1)
                .dW(1)
                .paddingMode(PaddingMode.VALID)
                .dataFormat("NHWC")
                .build();
        List<SDVariable> outputs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            SDVariable xg = x.get(
                    SDIndex.all(),
                    SDIndex.all(),
                    SDIndex.all(),
                    SDIndex.interval(g * inPerGroup, (g + 1) * inPerGroup));
            SDVariable wg = weight.get(
                            SDIndex.interval(g * outPerGroup, (g + 1) * outPerGroup),
                            SDIndex.all(),
                            SDIndex.all(),
                            SDIndex.all())
                    .permute(2, 3, 1, 0); // [k, k, in/groups, out/groups]: SameDiff's YXIO
            SDVariable yg = sd.cnn.conv2d(xg, wg, config);
            if (kernel % 2 == 0) { // fairseq's SamePad2d
                yg = yg.get(SDIndex.all(), SDIndex.interval(0, height), SDIndex.interval(0, width), SDIndex.all());
            }
            outputs.add(yg);
        }
        return groups == 1 ? outputs.get(0) : sd.concat(3, outputs.toArray(new SDVariable[0]));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType dataType) {
        return io.distillery.model.kernels.NativeLayer.instantiate(
                this,
                () -> new io.distillery.model.kernels.Decoder2dMath(
                        height, width, inputDim, decoderDim, layers, kernel, groups, residual, LAYER_NORM_EPS),
                conf,
                index,
                paramsView,
                initializeParams,
                dataType);
    }

    /** Parameter name to fairseq's state-dict key ({@code blocks.<i>.0} is each block's conv). */
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int b = 0; b < layers; b++) {
            keys.put(convWeight(b), checkpointPrefix + "blocks." + b + ".0.weight");
            keys.put(convBias(b), checkpointPrefix + "blocks." + b + ".0.bias");
        }
        keys.put("projW", checkpointPrefix + "proj.weight");
        keys.put("projB", checkpointPrefix + "proj.bias");
        return keys;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens() * targetDim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
    }

    public int getHeight() {
        return height;
    }

    public void setHeight(int height) {
        this.height = height;
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getInputDim() {
        return inputDim;
    }

    public void setInputDim(int inputDim) {
        this.inputDim = inputDim;
    }

    public int getDecoderDim() {
        return decoderDim;
    }

    public void setDecoderDim(int decoderDim) {
        this.decoderDim = decoderDim;
    }

    public int getTargetDim() {
        return targetDim;
    }

    public void setTargetDim(int targetDim) {
        this.targetDim = targetDim;
    }

    public int getLayers() {
        return layers;
    }

    public void setLayers(int layers) {
        this.layers = layers;
    }

    public int getKernel() {
        return kernel;
    }

    public void setKernel(int kernel) {
        this.kernel = kernel;
    }

    public int getGroups() {
        return groups;
    }

    public void setGroups(int groups) {
        this.groups = groups;
    }

    public boolean isResidual() {
        return residual;
    }

    public void setResidual(boolean residual) {
        this.residual = residual;
    }

    public String getCheckpointPrefix() {
        return checkpointPrefix;
    }

    public void setCheckpointPrefix(String checkpointPrefix) {
        this.checkpointPrefix = checkpointPrefix;
    }
}
