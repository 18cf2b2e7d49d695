package io.distillery.evaluate;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A CLIP-style model as image-text evaluation sees it: the side and normalisation of the images it takes, and
 * L2-normalised embeddings of images and texts in one space. Implementations are loaded once per JVM.
 */
interface ImageTextModel {
    int imageSize();

    double[] mean();

    double[] std();

    /** Normalised images [n, 3, S, S] to unit embeddings [n, E]. */
    INDArray embedImages(INDArray images);

    /** Texts (tokenized by the model's own tokenizer) to unit embeddings [n, E]. */
    INDArray embedTexts(List<String> texts);

    /** The model a spec names: an open_clip config + checkpoint, or a multimodal student's train run. */
    static ImageTextModel load(ModelSpec spec, String clipTokenizer) {
        return spec.runDir() != null && spec.model() == null
                ? MultimodalStudentModel.load(spec.runDir())
                : OpenClipModel.load(spec.model(), spec.checkpoint(), clipTokenizer);
    }
}
