package io.distillery.losses.imagetext;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one image–text batch offers a loss: the student's image and text embeddings [N, D_s] (the tensors
 * differentiated, raw: each loss L2-normalises them itself, as CLIP-KD's {@code KDClipLoss} does), the teacher's
 * cached embeddings [N, D_t] (already L2-normalised, as the CLIP model returns them), the teacher's logit scale (the
 * multiplier {@code exp(logit_scale)} the teacher model returns, e.g. 100; fixed), the student's learnable logit
 * scale as its log (CLIP's stored {@code logit_scale}, init {@code ln(1/0.07)}), and the loss's own learnable
 * parameters by name (see {@link ImageTextLoss#parameters}). Each loss asks for what it needs and names what is
 * missing.
 */
public record ImageTextInputs(
        INDArray studentImage,
        INDArray studentText,
        INDArray teacherImage,
        INDArray teacherText,
        double teacherScale,
        double studentLogScale,
        Map<String, INDArray> parameters) {

    public ImageTextInputs {
        Objects.requireNonNull(studentImage, "studentImage cannot be null");
        Objects.requireNonNull(studentText, "studentText cannot be null");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** The student's embeddings and log logit scale only (enough for {@code clip}). */
    public static ImageTextInputs ofStudent(INDArray image, INDArray text, double logScale) {
        return new ImageTextInputs(image, text, null, null, Double.NaN, logScale, Map.of());
    }

    public ImageTextInputs withTeacher(INDArray image, INDArray text, double scale) {
        return new ImageTextInputs(studentImage, studentText, image, text, scale, studentLogScale, parameters);
    }

    public ImageTextInputs withParameters(Map<String, INDArray> newParameters) {
        return new ImageTextInputs(
                studentImage, studentText, teacherImage, teacherText, teacherScale, studentLogScale, newParameters);
    }
}
