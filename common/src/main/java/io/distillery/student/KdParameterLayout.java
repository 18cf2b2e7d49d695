package io.distillery.student;

import io.distillery.losses.imagetext.LearnableParameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the learnable parameters of a CLIP-KD objective's terms live: each term's parameters, in declaration order,
 * take consecutive extra columns after the student's embeddings and logit scale ({@link KdLossParameters} appends
 * them to every row; {@link ImageTextKdLoss} reads them back). In the layer they are stored in two flat vectors:
 * matrices as weights (weight decay, as CLIP-KD's optimiser groups them) and scalars and vectors as biases (none).
 */
final class KdParameterLayout {
    /** One parameter: its term, its place among the extra columns and in its group's vector. */
    record Slot(int term, LearnableParameter parameter, long column, boolean decayed, long offset) {
        long length() {
            long n = 1;
            for (long d : parameter.shape()) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    private final long columns;
    private final long decayed;
    private final long plain;

    KdParameterLayout(List<ImageTextKdTerm> terms, long studentWidth, long teacherWidth) {
        long column = 0;
        long weights = 0;
        long biases = 0;
        for (int t = 0; t < terms.size(); t++) {
            for (LearnableParameter p : terms.get(t).loss().parameters(studentWidth, teacherWidth)) {
                boolean decay = p.shape().length >= 2;
                Slot slot = new Slot(t, p, column, decay, decay ? weights : biases);
                slots.add(slot);
                column += slot.length();
                if (decay) {
                    weights += slot.length();
                } else {
                    biases += slot.length();
                }
            }
        }
        this.columns = column;
        this.decayed = weights;
        this.plain = biases;
    }

    List<Slot> slots() {
        return slots;
    }

    /** The extra columns, P. */
    long columns() {
        return columns;
    }

    /** Elements of matrix parameters (the layer's weight vector). */
    long decayed() {
        return decayed;
    }

    /** Elements of scalar and vector parameters (the layer's bias vector). */
    long plain() {
        return plain;
    }

    /** Term {@code t}'s parameters by name, shaped, read from a [P] row of values. */
    Map<String, INDArray> parametersOf(int t, INDArray row) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.term() == t) {
                INDArray flat = row.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(s.column(), s.column() + s.length()))
                        .dup();
                out.put(
                        s.parameter().name(),
                        s.parameter().shape().length == 0
                                ? flat.reshape(new long[0])
                                : flat.reshape('c', s.parameter().shape()));
            }
        }
        return out;
    }

    /** Every term's fresh parameters, term t's drawn from {@code seed + t}, as [P] in {@code type}. */
    INDArray initialRow(List<ImageTextKdTerm> terms, long studentWidth, long teacherWidth, long seed, DataType type) {
        Map<Integer, Map<String, INDArray>> values = new HashMap<>();
        for (int t = 0; t < terms.size(); t++) {
            values.put(t, terms.get(t).loss().initialParameters(studentWidth, teacherWidth, seed + t, type));
        }
        INDArray row = org.nd4j.linalg.factory.Nd4j.create(type, columns);
        for (Slot s : slots) {
            INDArray value = values.get(s.term()).get(s.parameter().name());
            row.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s.column(), s.column() + s.length()))
                    .assign(value.reshape(s.length()));
        }
        return row;
    }
}
