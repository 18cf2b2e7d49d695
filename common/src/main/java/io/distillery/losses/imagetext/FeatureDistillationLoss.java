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
 * {@code --mask_ratio}: a uniformly random {@code int(T (1 - ratio))} of the T patches kept, CLS always). The masking
 * is the trainer's, so {@code mfd} is this class under its own name, carrying the ratio the trainer masks with.
 */
public final class FeatureDistillationLoss implements ImageTextLoss {
    public static final String TYPE = "fd";
    public static final String MASKED_TYPE = "mfd";
    /** {@code mfd}'s parameter: the fraction of patches the student does not see. */
    public static final String MASK_RATIO = "mask-ratio";
    /** CLIP-KD's script/methods/MFD.sh: {@code --mask_ratio 0.75}. */
    public static final double DEFAULT_MASK_RATIO = 0.75;

    private final String type;
    private final double maskRatio;

    /** {@link #TYPE}, or {@link #MASKED_TYPE} at {@link #DEFAULT_MASK_RATIO}. */
    public FeatureDistillationLoss(String type) {
        this(type, MASKED_TYPE.equals(type) ? DEFAULT_MASK_RATIO : 0);
    }

    /** @param maskRatio 0 for {@link #TYPE}; in (0, 1) for {@link #MASKED_TYPE} */
    public FeatureDistillationLoss(String type, double maskRatio) {
        if (!TYPE.equals(type) && !MASKED_TYPE.equals(type)) {
            throw new IllegalArgumentException("feature distillation is 'fd' or 'mfd', got '" + type + "'");
        }
        if (TYPE.equals(type) ? maskRatio != 0 : !(maskRatio > 0 && maskRatio < 1)) {
            throw new IllegalArgumentException(type + ": " + MASK_RATIO + " must be "
                    + (TYPE.equals(type) ? "0 (fd sees whole images)" : "in (0, 1)") + ", got " + maskRatio);
        }
        this.type = type;
        this.maskRatio = maskRatio;
    }

    /** The fraction of patches the student's image encoder does not see under this term (0 for {@code fd}). */
    public double maskRatio() {
        return maskRatio;
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
