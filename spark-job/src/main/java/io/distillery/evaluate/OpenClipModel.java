package io.distillery.evaluate;

import io.distillery.model.clip.ClipModel;
import io.distillery.spark.ClipModels;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An open_clip model ({@link ClipModels}: one per JVM) for image-text evaluation. */
final class OpenClipModel implements ImageTextModel {
    private final ClipModels.Loaded clip;

    private OpenClipModel(ClipModels.Loaded clip) {
        this.clip = clip;
    }

    static OpenClipModel load(String model, String checkpoint, String tokenizer) {
        return new OpenClipModel(ClipModels.get(
                model,
                checkpoint,
                tokenizer,
                EvaluateSettings.SECTION + ".clip-tokenizer",
                org.apache.spark.deploy.SparkHadoopUtil.get().conf()));
    }

    @Override
    public int imageSize() {
        return clip.config().vision().imageSize();
    }

    @Override
    public double[] mean() {
        return ClipModels.MEAN;
    }

    @Override
    public double[] std() {
        return ClipModels.STD;
    }

    @Override
    public INDArray embedImages(INDArray images) {
        return ClipModel.normalize(clip.model().encodeImages(images));
    }

    @Override
    public INDArray embedTexts(List<String> texts) {
        return ClipModel.normalize(clip.model().encodeTexts(clip.tokenizer().tokenize(texts, clip.contextLength())));
    }
}
