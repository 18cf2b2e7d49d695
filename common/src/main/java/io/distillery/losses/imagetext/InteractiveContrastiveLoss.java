package io.distillery.losses.imagetext;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code icl}: CLIP-KD's interactive contrastive learning: each normalised student embedding is contrasted against
 * the teacher's embeddings of the other modality:
 * <pre>
 *   C_img = k normalize(s_img) t_txt^T,  C_txt = k normalize(s_txt) t_img^T,  loss = (CE(C_img) + CE(C_txt)) / 2
 *   dLoss/dC = (rowsoftmax(C) - I) / (2N);   dLoss/dk = sum(dLoss/dC_img o normalize(s_img) t_txt^T) + (same for txt)
 * </pre>
 * with CE against arange(N). k is the loss's learnable {@code cross_logit_scale}. Reference quirk, kept: it is an
 * {@code nn.Parameter} initialised to ln(1/0.07) ~ 2.66 like CLIP's log scale, but multiplies the logits directly,
 * WITHOUT exp, so the effective scale starts at 2.66 rather than 14.3 (and nothing clamps it). Widths must match
 * (the caller projects the student); teacher embeddings are cached already normalised.
 */
public final class InteractiveContrastiveLoss implements ImageTextLoss {
    public static final String TYPE = "icl";
    public static final String CROSS_LOGIT_SCALE = "cross_logit_scale";

    private static final LearnableParameter SCALE =
            LearnableParameter.scalar(CROSS_LOGIT_SCALE, LearnableParameter.INITIAL_LOG_SCALE);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<LearnableParameter> parameters(long studentWidth, long teacherWidth) {
        return List.of(SCALE);
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        INDArray[] student = Checks.student(inputs, TYPE);
        INDArray[] teacher = Checks.teacher(inputs, TYPE, student[0].size(0));
        Checks.sameWidth(TYPE, student[0].size(1), teacher[0].size(1));
        INDArray scaleParameter = inputs.parameters().get(CROSS_LOGIT_SCALE);
        double scale = Checks.parameter(inputs, TYPE, SCALE).getDouble(0);
        UnitRows image = new UnitRows(student[0]);
        UnitRows text = new UnitRows(student[1]);
        INDArray imageToText = image.unit().mmul(teacher[1].transpose());
        INDArray textToImage = text.unit().mmul(teacher[0].transpose());
        Softmax.Scored perImage = Softmax.crossEntropyOnDiagonal(imageToText.mul(scale));
        Softmax.Scored perText = Softmax.crossEntropyOnDiagonal(textToImage.mul(scale));
        INDArray gradImage = perImage.gradient().divi(2.0);
        INDArray gradText = perText.gradient().divi(2.0);
        double dScale = gradImage.mul(imageToText).sumNumber().doubleValue()
                + gradText.mul(textToImage).sumNumber().doubleValue();
        return new ImageTextLossValue(
                (perImage.value() + perText.value()) / 2,
                image.backward(gradImage.mmul(teacher[1]).muli(scale))
                        .castTo(inputs.studentImage().dataType()),
                text.backward(gradText.mmul(teacher[0]).muli(scale))
                        .castTo(inputs.studentText().dataType()),
                0,
                Map.of(CROSS_LOGIT_SCALE, Nd4j.scalar(dScale).castTo(scaleParameter.dataType())));
    }
}
