package io.distillery.losses;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss and its gradient with respect to the student input ({@code gradient} has the student's shape and data
 * type).
 */
public record LossValue(double value, INDArray gradient) {
    public LossValue {
        Objects.requireNonNull(gradient, "gradient cannot be null");
    }
}
