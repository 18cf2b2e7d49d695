package io.distillery.losses.imagetext;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code crd}: contrastive relational distillation, CLIP-KD's {@code ckd_loss}: the student's image-to-text
 * logits (as in {@code clip}) learn the teacher's, row by row in both directions:
 * <pre>
 *   L = exp(l) normalize(s_img) normalize(s_txt)^T,     L_t = tau_t t_img t_txt^T    (tau_t: teacher scale, fixed)
 *   loss = (DistillKL(L, L_t) + DistillKL(L^T, L_t^T)) / 2,
 *   DistillKL(y_s, y_t) = T^2 (1/N) sum_i KL(softmax(y_t,i / T) || softmax(y_s,i / T))    (temperature T, 1 in CLIP-KD)
 * </pre>
 * Only the N x N similarity structure is compared, so the student and teacher widths may differ. The gradient w.r.t.
 * L is (T/2N) [(rowsoftmax(L/T) - rowsoftmax(L_t/T)) + (colsoftmax(L/T) - colsoftmax(L_t/T))], then as in
 * {@link StudentSimilarity}. Teacher embeddings are taken as given (cached already normalised).
 */
public final class ContrastiveRelationalLoss implements ImageTextLoss {
    public static final String TYPE = "crd";

    private final double temperature;

    public ContrastiveRelationalLoss(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(TYPE + ": temperature must be > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        StudentSimilarity student = new StudentSimilarity(inputs, TYPE);
        INDArray[] teacher = Checks.teacher(inputs, TYPE, student.rows());
        INDArray teacherLogits =
                teacher[0].mul(Checks.teacherScale(inputs, TYPE)).mmul(teacher[1].transpose());
        Softmax.Scored perImage = Softmax.distillKl(student.logits(), teacherLogits, temperature);
        Softmax.Scored perText =
                Softmax.distillKl(student.logits().transpose(), teacherLogits.transpose(), temperature);
        INDArray gradient =
                perImage.gradient().addi(perText.gradient().transpose()).divi(2.0);
        return student.backward((perImage.value() + perText.value()) / 2, gradient);
    }
}
