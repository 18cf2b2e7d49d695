package io.distillery.losses.imagetext;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss and its gradients: with respect to the student's raw image and text embeddings (each in its input's shape
 * and data type), the student's log logit scale (0 for a loss that does not use it), and each learnable parameter
 * the loss owns, by the name it declared (each in that parameter's shape and data type).
 */
public record ImageTextLossValue(
        double value,
        INDArray studentImageGradient,
        INDArray studentTextGradient,
        double studentLogScaleGradient,
        Map<String, INDArray> parameterGradients) {

    public ImageTextLossValue {
        Objects.requireNonNull(studentImageGradient, "studentImageGradient cannot be null");
        Objects.requireNonNull(studentTextGradient, "studentTextGradient cannot be null");
        parameterGradients = Map.copyOf(parameterGradients);
    }
}
