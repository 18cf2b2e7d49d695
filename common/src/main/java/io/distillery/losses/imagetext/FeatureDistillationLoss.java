package io.distillery.losses.imagetext;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code fd}: CLIP-KD's feature distillation, the student's L2-normalised embeddings regressed onto the teacher's:
 * <pre>
 *   loss = MSE(normalize(s_img), t_img) + MSE(normalize(s_txt), t_txt)      (MSE = mean over all N D elements)
 *   dLoss/d normalize(s) = 2 (normalize(s) - t) / (N D), then back through the normalisation
 * </pre>
 * The teacher embeddings are cached already normalised. The widths must match: the reference projects a student of
 * another width with a Linear first, which in Distillery is the caller's (trainable) projection.
 *
 * <p>{@code mfd} (masked feature distillation) is the same loss on a student that saw a masked image (CLIP-KD's
 * {@code --mask-ratio}); the masking is the trainer's, so {@code mfd} is this class under its own name.
 */
public final class FeatureDistillationLoss implements ImageTextLoss {
    public static final String TYPE = "fd";
    public static final String MASKED_TYPE = "mfd";

    private final String type;

    /** {@link #TYPE} or {@link #MASKED_TYPE}. */
    public FeatureDistillationLoss(String type) {
        if (!TYPE.equals(type) && !MASKED_TYPE.equals(type)) {
            throw new IllegalArgumentException("feature distillation is 'fd' or 'mfd', got '" + type + "'");
        }
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        INDArray[] student = Checks.student(inputs, type);
        INDArray[] teacher = Checks.teacher(inputs, type, student[0].size(0));
        Checks.sameWidth(type, student[0].size(1), teacher[0].size(1));
        UnitRows image = new UnitRows(student[0]);
        UnitRows text = new UnitRows(student[1]);
        double count = student[0].length();
        INDArray imageDiff = image.unit().sub(teacher[0]);
        INDArray textDiff = text.unit().sub(teacher[1]);
        double value = (squaredSum(imageDiff) + squaredSum(textDiff)) / count;
        return new ImageTextLossValue(
                value,
                image.backward(imageDiff.muli(2 / count))
                        .castTo(inputs.studentImage().dataType()),
                text.backward(textDiff.muli(2 / count))
                        .castTo(inputs.studentText().dataType()),
                0,
                Map.of());
    }

    private static double squaredSum(INDArray a) {
        return a.mul(a).sumNumber().doubleValue();
    }
}
