package io.distillery.losses.imagetext;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code gd}: CLIP-KD's gradient distillation: the student's InfoNCE gradients w.r.t. its normalised embeddings
 * learn the teacher's, via {@link InfoNceGradient} ({@code get_grad}) in both directions:
 * <pre>
 *   (gp_img, gk_txt) = get_grad(u_img, u_txt, exp(l)),   (gp_txt, gk_img) = get_grad(u_txt, u_img, exp(l))
 *   (teacher likewise from t_img, t_txt and its scale tau_t, a constant)
 *   loss = MSE(gp_img) + MSE(gk_txt) + MSE(gp_txt) + MSE(gk_img)      (each student vs teacher, mean over N D)
 * </pre>
 * u = normalize(student), l the student's log logit scale. Reference quirk, kept: {@code get_grad} divides the
 * logits by its {@code tau} argument and the reference passes the logit scale (the multiplier exp(l), ~14 to 100)
 * there, so the softmax sees similarities divided by the scale, not multiplied. The gradient w.r.t. l flows through
 * both the 1/tau of the logits and the 1/tau of the returned gradients. Widths must match (the caller projects).
 */
public final class GradientDistillationLoss implements ImageTextLoss {
    public static final String TYPE = "gd";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        INDArray[] student = Checks.student(inputs, TYPE);
        INDArray[] teacher = Checks.teacher(inputs, TYPE, student[0].size(0));
        Checks.sameWidth(TYPE, student[0].size(1), teacher[0].size(1));
        double teacherScale = Checks.teacherScale(inputs, TYPE);
        double scale = Math.exp(Checks.studentLogScale(inputs, TYPE));
        UnitRows image = new UnitRows(student[0]);
        UnitRows text = new UnitRows(student[1]);
        InfoNceGradient teacherImage = new InfoNceGradient(teacher[0], teacher[1], teacherScale);
        InfoNceGradient teacherText = new InfoNceGradient(teacher[1], teacher[0], teacherScale);
        InfoNceGradient studentImage = new InfoNceGradient(image.unit(), text.unit(), scale);
        InfoNceGradient studentText = new InfoNceGradient(text.unit(), image.unit(), scale);

        double count = student[0].length();
        INDArray[] diffs = {
            studentImage.anchorGradient().sub(teacherImage.anchorGradient()),
            studentImage.keyGradient().sub(teacherImage.keyGradient()),
            studentText.anchorGradient().sub(teacherText.anchorGradient()),
            studentText.keyGradient().sub(teacherText.keyGradient())
        };
        double value = 0;
        for (INDArray diff : diffs) {
            value += diff.mul(diff).sumNumber().doubleValue() / count;
            diff.muli(2 / count);
        }
        InfoNceGradient.Backward fromImage = studentImage.backward(diffs[0], diffs[1]);
        InfoNceGradient.Backward fromText = studentText.backward(diffs[2], diffs[3]);
        INDArray dImage = fromImage.dAnchors().addi(fromText.dKeys());
        INDArray dText = fromImage.dKeys().addi(fromText.dAnchors());
        return new ImageTextLossValue(
                value,
                image.backward(dImage).castTo(inputs.studentImage().dataType()),
                text.backward(dText).castTo(inputs.studentText().dataType()),
                (fromImage.dTau() + fromText.dTau()) * scale,
                Map.of());
    }
}
