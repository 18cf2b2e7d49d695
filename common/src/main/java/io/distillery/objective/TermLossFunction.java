package io.distillery.objective;

import io.distillery.losses.LossInputs;
import io.distillery.losses.LossTerm;
import io.distillery.losses.LossValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * A DL4J loss function that sums weighted {@link LossTerm}s over one output:
 * {@code L = sum_k w_k L_k(activation(preOutput), teacher, labels, epoch)}.
 *
 * <p><b>Label layout.</b> The labels array of the output is {@code [N, teacherWidth + classes]}: columns
 * {@code [0, teacherWidth)} hold the teacher tensor (logits, pooled features, ...) when a term needs it, then
 * {@code classes} columns hold the one-hot class label when a term needs labels (ce, dkd). Either block may be
 * absent (width 0).
 *
 * <p><b>DL4J's conventions.</b> The terms return a batch mean and its gradient. DL4J wants the score averaged
 * (when asked) but the gradient of the <i>sum</i> over the minibatch, which its updater then divides by the
 * minibatch size; so the gradient is multiplied by N here. A per-example score array is refused: pkt couples the
 * examples of a batch, so no term is required to split its value per example.
 *
 * <p><b>Serialisation.</b> The terms are kept as (type, weight, parameters), and rebuilt through
 * {@link io.distillery.losses.LossRegistry} where the function is used: dl4j-spark ships the graph config to the
 * workers as JSON (and Java serialisation), and a checkpoint stores it as JSON, so fields are plain and mutable with
 * a no-arg constructor (DL4J's mapper reads getters by default: this class is serialised by its fields only), and no
 * config can name a class to instantiate.
 *
 * <p><b>Epoch.</b> DKD's warm-up scales its loss by {@code min(epoch / warmup, 1)} with mdistiller's 1-based epoch.
 * A loss function sees no epoch, so the training loop writes it into the graph's config before each pass over the
 * data ({@link GraphLosses#setEpoch}); dl4j-spark broadcasts that config to the workers every round.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class TermLossFunction implements ILossFunction {
    private static final long serialVersionUID = 1L;
    private static final double NO_EPOCH = -1;

    private List<String> types = new ArrayList<>();
    private List<Double> weights = new ArrayList<>();
    private List<Map<String, Double>> params = new ArrayList<>();
    private int teacherWidth;
    private int classes;
    private int tokens;
    // left out of the JSON when 0, so the configs of every other output stay what they were
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    private int heads;

    private double epoch = NO_EPOCH;
    private transient List<LossTerm> terms;

    /** For JSON deserialisation. */
    protected TermLossFunction() {}

    /**
     * @param specs        the terms (none may be d2v); each is validated by building it once
     * @param teacherWidth columns of the teacher block of the labels; 0 when no term needs a teacher
     * @param classes      columns of the one-hot block; 0 when no term needs labels
     */
    public TermLossFunction(List<LossSpec> specs, int teacherWidth, int classes) {
        this(specs, teacherWidth, classes, 0);
    }

    /**
     * @param tokens when > 0, student and teacher rows are {@code tokens} tokens each, and are handed to the terms as
     *               [N, tokens, width] (the hidden-state loss wants tokens; rows travel flattened between layers)
     */
    public TermLossFunction(List<LossSpec> specs, int teacherWidth, int classes, int tokens) {
        this(specs, teacherWidth, classes, tokens, 0);
    }

    /**
     * @param heads when > 0, student and teacher rows are attention maps [heads, tokens, tokens] and are handed to
     *              the terms as [N, heads, tokens, tokens]
     */
    public TermLossFunction(List<LossSpec> specs, int teacherWidth, int classes, int tokens, int heads) {
        if (heads < 0 || (heads > 0 && tokens == 0)) {
            throw new IllegalArgumentException(
                    "attention maps need tokens > 0 and heads >= 0, got tokens " + tokens + ", heads " + heads);
        }
        if (specs.isEmpty() || teacherWidth < 0 || classes < 0 || tokens < 0) {
            throw new IllegalArgumentException("a term loss needs at least one term and widths >= 0, got " + specs
                    + ", teacher width " + teacherWidth + ", classes " + classes);
        }
        for (LossSpec spec : specs) {
            spec.term();
            if (spec.needsLabels() && classes == 0) {
                throw new IllegalArgumentException(spec.label() + " needs class labels but the output has none");
            }
            if (spec.teacherColumn() != null && teacherWidth == 0) {
                throw new IllegalArgumentException(spec.label() + " needs the teacher's '" + spec.teacherColumn()
                        + "' but the output has no teacher block");
            }
            types.add(spec.type());
            weights.add(spec.weight());
            params.add(new TreeMap<>(spec.params()));
        }
        this.teacherWidth = teacherWidth;
        this.classes = classes;
        this.tokens = tokens;
        this.heads = heads;
    }

    /** Label columns this function reads: {@code teacherWidth + classes}. */
    public int labelWidth() {
        return teacherWidth + classes;
    }

    /** The epoch last set; NaN before any. */
    public double epoch() {
        return epoch == NO_EPOCH ? Double.NaN : epoch;
    }

    public void setEpoch(double epoch) {
        if (!(epoch >= 0) || Double.isInfinite(epoch)) {
            throw new IllegalArgumentException("epoch must be finite and >= 0, got " + epoch);
        }
        this.epoch = epoch;
    }

    private List<LossTerm> terms() {
        if (terms == null) {
            List<LossTerm> built = new ArrayList<>();
            for (int k = 0; k < types.size(); k++) {
                built.add(io.distillery.losses.LossRegistry.create(
                        types.get(k), com.typesafe.config.ConfigFactory.parseMap(params.get(k))));
            }
            terms = built;
        }
        return terms;
    }

    /** The weighted sum of the terms' batch means and its gradient with respect to the activated output. */
    private LossValue total(INDArray labels, INDArray output) {
        if (labels.rank() != 2 || labels.size(0) != output.size(0) || labels.size(1) != labelWidth()) {
            throw new IllegalArgumentException(name() + ": labels must be [" + output.size(0) + ", " + labelWidth()
                    + "] (teacher " + teacherWidth + " + one-hot " + classes + "), got "
                    + java.util.Arrays.toString(labels.shape()));
        }
        INDArray teacher = teacherWidth > 0
                ? labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, teacherWidth))
                        .dup()
                : null;
        int[] classIndex = classes > 0 ? classIndex(labels) : null;
        INDArray student = output;
        if (heads > 0) {
            student = output.reshape(output.size(0), heads, tokens, tokens);
            teacher = teacher == null ? null : teacher.reshape(teacher.size(0), heads, tokens, tokens);
        } else if (tokens > 0) {
            student = output.reshape(output.size(0), tokens, output.size(1) / tokens);
            teacher = teacher == null ? null : teacher.reshape(teacher.size(0), tokens, teacher.size(1) / tokens);
        }
        LossInputs inputs = new LossInputs(student, teacher, classIndex, epoch == NO_EPOCH ? Double.NaN : epoch);
        double value = 0;
        INDArray gradient = null;
        List<LossTerm> built = terms();
        for (int k = 0; k < built.size(); k++) {
            LossValue v = built.get(k).compute(inputs);
            double w = weights.get(k);
            value += w * v.value();
            INDArray scaled = v.gradient().mul(w);
            gradient = gradient == null ? scaled : gradient.addi(scaled);
        }
        return new LossValue(value, gradient.reshape(output.shape()));
    }

    /** The class of each row from its one-hot block; a row without exactly one 1 is refused. */
    private int[] classIndex(INDArray labels) {
        double[][] oneHot = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(teacherWidth, labelWidth()))
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .toDoubleMatrix();
        int[] out = new int[oneHot.length];
        for (int i = 0; i < oneHot.length; i++) {
            int found = -1;
            for (int j = 0; j < oneHot[i].length; j++) {
                if (oneHot[i][j] == 1.0 && found < 0) {
                    found = j;
                } else if (oneHot[i][j] != 0.0) {
                    found = -2;
                    break;
                }
            }
            if (found < 0) {
                throw new IllegalArgumentException(
                        name() + ": row " + i + " of the labels is not one-hot over " + classes + " classes");
            }
            out[i] = found;
        }
        return out;
    }

    private static void requireNoMask(INDArray mask) {
        if (mask != null) {
            // every training row is a whole example; a mask would mean a layout this adapter does not know
            throw new UnsupportedOperationException("distillation losses do not take label masks");
        }
    }

    @Override
    public double computeScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, average)
                .getFirst();
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        throw new UnsupportedOperationException(
                name() + ": per-example scores are not defined (pkt couples the examples of a batch)");
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, true)
                .getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        LossValue v = total(labels, output);
        long n = preOutput.size(0);
        INDArray dOutput = v.gradient().castTo(preOutput.dataType()).muli(n);
        INDArray dPreOutput = activationFn.backprop(preOutput.dup(), dOutput).getFirst();
        return Pair.of(average ? v.value() : v.value() * n, dPreOutput);
    }

    @Override
    public String name() {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < types.size(); k++) {
            s.append(k == 0 ? "" : " + ").append(weights.get(k)).append(" * ").append(types.get(k));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "TermLossFunction(" + name() + ", params " + params + ", teacher " + teacherWidth + ", classes "
                + classes + ", tokens " + tokens + (heads > 0 ? ", heads " + heads : "") + ", epoch " + epoch + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TermLossFunction f
                && types.equals(f.types)
                && weights.equals(f.weights)
                && params.equals(f.params)
                && teacherWidth == f.teacherWidth
                && classes == f.classes
                && tokens == f.tokens
                && heads == f.heads
                && Double.compare(epoch, f.epoch) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(types, weights, params, teacherWidth, classes, tokens, heads, epoch);
    }
}
