package io.distillery.train;

import io.distillery.features.TensorDType;
import java.io.Serializable;

/**
 * What an executor needs to turn feature rows into training batches: sizes, the student's normalisation and how
 * the label column is encoded. Small and serialisable (it travels in task closures).
 *
 * @param imgSize      square view size (pixels are uint8 HWC RGB)
 * @param mean         per-channel mean after pixel/255
 * @param std          per-channel std
 * @param labelColumn  the packed target column (distillation) or the class column (finetune)
 * @param labelDType   packing of the target; null when the label is a class index
 * @param labelWidth   floats per target row, or the number of classes
 * @param batchSize    rows per MultiDataSet
 */
record BatchSpec(
        int imgSize,
        double[] mean,
        double[] std,
        String labelColumn,
        TensorDType labelDType,
        int labelWidth,
        int batchSize)
        implements Serializable {

    boolean classification() {
        return labelDType == null;
    }
}
