package io.distillery.losses.imagetext;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The student's image-to-text logits as {@code KDClipLoss} forms them, L = exp(l) * normalize(img) normalize(txt)^T
 * with l the student's log logit scale, and the way back from dLoss/dL to the raw embeddings and to l:
 * d(unit img) = s G (unit txt), d(unit txt) = s G^T (unit img), dl = sum(G o L), s = exp(l).
 */
final class StudentSimilarity {

    private final DataType imageType;
    private final DataType textType;
    private final UnitRows image;
    private final UnitRows text;
    private final double scale;
    private final INDArray logits;

    StudentSimilarity(ImageTextInputs inputs, String loss) {
        INDArray[] student = Checks.student(inputs, loss);
        this.imageType = inputs.studentImage().dataType();
        this.textType = inputs.studentText().dataType();
        this.image = new UnitRows(student[0]);
        this.text = new UnitRows(student[1]);
        this.scale = Math.exp(Checks.studentLogScale(inputs, loss));
        this.logits = image.unit().mul(scale).mmul(text.unit().transpose());
    }

    /** L = logits_per_image [N, N]; logits_per_text is its transpose. */
    INDArray logits() {
        return logits;
    }

    long rows() {
        return logits.size(0);
    }

    /** The loss value with its gradients, given G = dLoss/dL. */
    ImageTextLossValue backward(double value, INDArray gradLogits) {
        INDArray dImage = gradLogits.mmul(text.unit()).muli(scale);
        INDArray dText = gradLogits.transpose().mmul(image.unit()).muli(scale);
        double dLogScale = gradLogits.mul(logits).sumNumber().doubleValue();
        return new ImageTextLossValue(
                value,
                image.backward(dImage).castTo(imageType),
                text.backward(dText).castTo(textType),
                dLogScale,
                Map.of());
    }
}
