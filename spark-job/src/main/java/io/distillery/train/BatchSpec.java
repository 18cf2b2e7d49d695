package io.distillery.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an executor needs to turn feature rows into training batches: sizes, the student's normalisation and, for
 * each output of the training graph in order, the blocks its labels array is made of. Small and serialisable (it
 * travels in task closures).
 *
 * @param imgSize   square view size (pixels are uint8 HWC RGB)
 * @param mean      per-channel mean after pixel/255
 * @param std       per-channel std
 * @param outputs   per graph output, its label blocks side by side (e.g. [teacher logits | one-hot labels])
 * @param batchSize examples per MultiDataSet (rows x clones when masked)
 * @param masked    how rows become a masked student's examples; null: one example per row, labels as stored
 */
record BatchSpec(
        int imgSize, double[] mean, double[] std, List<List<LabelSource>> outputs, int batchSize, MaskedRows masked)
        implements Serializable {

    BatchSpec {
        List<List<LabelSource>> copy = new ArrayList<>();
        outputs.forEach(o -> copy.add(List.copyOf(o)));
        outputs = List.copyOf(copy);
        if (masked != null) {
            if (outputs.size() != 1 || outputs.get(0).size() != 1) {
                throw new IllegalArgumentException(
                        "a masked student has one output (d2v) with the target as labels, got " + outputs);
            }
            if (outputs.get(0).get(0).width() != masked.targetTokens() * masked.tokenWidth()) {
                throw new IllegalArgumentException(
                        "target width " + outputs.get(0).get(0).width() + " is not " + masked.targetTokens()
                                + " tokens x " + masked.tokenWidth());
            }
            if (batchSize % masked.clones() != 0) {
                throw new IllegalArgumentException(
                        "batch size " + batchSize + " is not a multiple of " + masked.clones() + " clones");
            }
        }
    }

    BatchSpec(int imgSize, double[] mean, double[] std, List<List<LabelSource>> outputs, int batchSize) {
        this(imgSize, mean, std, outputs, batchSize, null);
    }

    /** Rows per MultiDataSet. */
    int rowsPerBatch() {
        return masked == null ? batchSize : batchSize / masked.clones();
    }

    /** One output whose labels come from one source (the d2v target, finetune's class). */
    static BatchSpec single(int imgSize, double[] mean, double[] std, LabelSource labels, int batchSize) {
        return new BatchSpec(imgSize, mean, std, List.of(List.of(labels)), batchSize);
    }

    /** Floats per row of output {@code o}'s labels. */
    int labelWidth(int o) {
        return outputs.get(o).stream().mapToInt(LabelSource::width).sum();
    }

    /** Every column the label sources read, in order of first use. */
    List<String> labelColumns() {
        Set<String> columns = new LinkedHashSet<>();
        outputs.forEach(o -> o.forEach(s -> columns.addAll(s.columns())));
        return List.copyOf(columns);
    }
}
