package io.distillery.losses.imagetext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One named image–text distillation loss with its parameters fixed; build one with {@link ImageTextLossRegistry}. */
public interface ImageTextLoss {

    /** The registry name, e.g. {@code "icl"}. */
    String type();

    /**
     * The learnable parameters this loss owns for student embeddings of width {@code studentWidth} and teacher
     * embeddings of width {@code teacherWidth}, in a fixed order; none by default.
     */
    default List<LearnableParameter> parameters(long studentWidth, long teacherWidth) {
        return List.of();
    }

    /**
     * Fresh values for {@link #parameters}, drawn in declaration order from one generator seeded with {@code seed}
     * (same seed, same values), in {@code type}.
     */
    default Map<String, INDArray> initialParameters(long studentWidth, long teacherWidth, long seed, DataType type) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (LearnableParameter parameter : parameters(studentWidth, teacherWidth)) {
            values.put(parameter.name(), parameter.initialise(random, type));
        }
        return values;
    }

    /** The loss on one batch and its gradients (see {@link ImageTextLossValue}). */
    ImageTextLossValue compute(ImageTextInputs inputs);
}
