package io.distillery.student;

import io.distillery.losses.imagetext.FeatureDistillationLoss;
import io.distillery.losses.imagetext.ImageTextInputs;
import io.distillery.losses.imagetext.ImageTextLoss;
import io.distillery.losses.imagetext.ImageTextLossValue;
import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskKind;
import io.distillery.masking.MaskSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * A CLIP-KD objective as a DL4J loss: the weighted sum of image–text losses of {@code io.distillery.losses.imagetext}
 * (CLIP's own contrastive loss and the distillation terms against a CLIP teacher's cached embeddings), computed on
 * the whole minibatch as the reference does.
 *
 * <p>The output is {@code [B, 2E + 1 + P]}: the student's image and text embeddings (raw, before normalisation),
 * its logit scale {@code exp(s)} ({@link LogitScale}), then the terms' learnable parameters
 * ({@link KdLossParameters}, P columns, absent when no term owns one). The labels are the teacher's cached
 * L2-normalised embeddings side by side, {@code [B, 2 D_t]}; its logit scale (exp'd, as the dataset records it) is
 * fixed here. Every row's score is the batch's loss (so the mean over rows is the loss) and the gradient is that of
 * the sum over rows, DL4J's convention (the updater divides by B); the scale and parameter columns' gradients are
 * spread over the rows, which their layers sum.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class ImageTextKdLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private int embedDim;
    private int teacherDim;
    private double teacherScale;
    private List<ImageTextKdTerm> terms;

    private transient List<ImageTextLoss> losses;
    private transient KdParameterLayout layout;

    protected ImageTextKdLoss() {}

    /**
     * @param embedDim     the student's embedding width E
     * @param teacherDim   the teacher's embedding width
     * @param teacherScale the teacher's logit scale {@code exp(logit_scale)} (e.g. 100), > 0
     * @param terms        at least one term
     */
    public ImageTextKdLoss(int embedDim, int teacherDim, double teacherScale, List<ImageTextKdTerm> terms) {
        if (embedDim < 1 || teacherDim < 1) {
            throw new IllegalArgumentException(
                    "embedding widths must be >= 1, got student " + embedDim + ", teacher " + teacherDim);
        }
        if (!(teacherScale > 0) || Double.isInfinite(teacherScale)) {
            throw new IllegalArgumentException(
                    "the teacher's logit scale must be a finite number > 0, got " + teacherScale);
        }
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a CLIP-KD objective needs at least one loss term");
        }
        if (terms.stream()
                        .filter(t -> FeatureDistillationLoss.MASKED_TYPE.equals(t.type()))
                        .count()
                > 1) {
            throw new IllegalArgumentException("mfd is named more than once: the student's images are masked at one"
                    + " ratio, so one mfd term carries it");
        }
        this.embedDim = embedDim;
        this.teacherDim = teacherDim;
        this.teacherScale = teacherScale;
        this.terms = new ArrayList<>(terms);
    }

    /**
     * The fraction of patches the student's image encoder does not see: the {@code mfd} term's ratio, 0 without
     * one. As in CLIP-KD, every term then reads the masked student's image embedding.
     */
    public double maskRatio() {
        for (ImageTextKdTerm t : terms) {
            if (t.loss() instanceof FeatureDistillationLoss fd && fd.maskRatio() > 0) {
                return fd.maskRatio();
            }
        }
        return 0;
    }

    /** The masks of the student's {@code gridSide}² patches under {@link #maskRatio}; null without {@code mfd}. */
    public MaskGenerator masks(int gridSide) {
        double ratio = maskRatio();
        return ratio == 0 ? null : new MaskGenerator(new MaskSettings(ratio, MaskKind.RANDOM, 0, 0, 1), gridSide);
    }

    public int teacherDim() {
        return teacherDim;
    }

    public List<ImageTextKdTerm> terms() {
        return List.copyOf(terms);
    }

    private List<ImageTextLoss> losses() {
        if (losses == null) {
            List<ImageTextLoss> built = new ArrayList<>();
            terms.forEach(t -> built.add(t.loss()));
            losses = built;
        }
        return losses;
    }

    private KdParameterLayout layout() {
        if (layout == null) {
            layout = new KdParameterLayout(terms, embedDim, teacherDim);
        }
        return layout;
    }

    /** The objective on one minibatch: the weighted value and the gradient of the sum over rows. */
    private final class Pass {
        final double value;
        final INDArray gradient;

        Pass(INDArray labels, INDArray output, boolean withGradient) {
            long rows = output.size(0);
            long e = embedDim;
            long width = 2 * e + 1 + layout().columns();
            if (output.rank() != 2 || output.size(1) != width || rows < 1) {
                throw new IllegalArgumentException(name() + ": output must be [batch, " + width
                        + "] (image and text embeddings, logit scale, " + layout().columns()
                        + " loss parameters), got " + Arrays.toString(output.shape()));
            }
            if (labels == null || labels.rank() != 2 || labels.size(0) != rows || labels.size(1) != 2L * teacherDim) {
                throw new IllegalArgumentException(name() + ": labels must be the teacher's image and text embeddings"
                        + " [" + rows + ", 2 x " + teacherDim + "], got "
                        + (labels == null ? "none" : Arrays.toString(labels.shape())));
            }
            INDArray image =
                    output.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).dup();
            INDArray text = output.get(NDArrayIndex.all(), NDArrayIndex.interval(e, 2 * e))
                    .dup();
            double scale = output.getDouble(0, 2 * e);
            long p = layout().columns();
            // the terms' parameters as every row carries them (none: no parameter layer, no columns)
            INDArray parameterRow =
                    p == 0 ? null : output.get(NDArrayIndex.point(0), NDArrayIndex.interval(2 * e + 1, width));
            INDArray teacherImage = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, teacherDim))
                    .dup();
            INDArray teacherText = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(teacherDim, 2L * teacherDim))
                    .dup();
            double total = 0;
            INDArray dImage = Nd4j.zeros(output.dataType(), rows, e);
            INDArray dText = Nd4j.zeros(output.dataType(), rows, e);
            double dLogScale = 0;
            INDArray dParameters = p == 0 ? null : Nd4j.zeros(output.dataType(), p);
            for (int t = 0; t < terms.size(); t++) {
                double weight = terms.get(t).weight();
                if (weight == 0) {
                    continue;
                }
                ImageTextLossValue v = losses().get(t)
                        .compute(new ImageTextInputs(
                                image,
                                text,
                                teacherImage,
                                teacherText,
                                teacherScale,
                                Math.log(scale),
                                p == 0 ? Map.of() : layout().parametersOf(t, parameterRow)));
                total += weight * v.value();
                if (withGradient) {
                    dImage.addi(
                            v.studentImageGradient().castTo(output.dataType()).mul(weight));
                    dText.addi(v.studentTextGradient().castTo(output.dataType()).mul(weight));
                    dLogScale += weight * v.studentLogScaleGradient();
                    for (KdParameterLayout.Slot s : layout().slots()) {
                        INDArray g = s.term() == t
                                ? v.parameterGradients().get(s.parameter().name())
                                : null;
                        if (g != null) {
                            dParameters
                                    .get(NDArrayIndex.interval(s.column(), s.column() + s.length()))
                                    .addi(g.castTo(output.dataType())
                                            .reshape(s.length())
                                            .mul(weight));
                        }
                    }
                }
            }
            value = total;
            if (!withGradient) {
                gradient = null;
                return;
            }
            // sum over rows: B x the batch loss's gradient for the embeddings; the shared columns' gradients
            // spread evenly (their layers sum them), through exp for the scale
            INDArray grad = output.ulike();
            grad.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e)).assign(dImage.muli(rows));
            grad.get(NDArrayIndex.all(), NDArrayIndex.interval(e, 2 * e)).assign(dText.muli(rows));
            grad.get(NDArrayIndex.all(), NDArrayIndex.point(2 * e)).assign(dLogScale / scale);
            if (p > 0) {
                grad.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * e + 1, width))
                        .assign(dParameters.reshape(1, p).broadcast(rows, p));
            }
            gradient = grad;
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), false);
        double value = new Pass(labels, output, false).value;
        return Nd4j.valueArrayOf(new long[] {output.size(0), 1}, value, output.dataType());
    }

    @Override
    public double computeScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), false);
        double value = new Pass(labels, output, false).value;
        return average ? value : value * output.size(0);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        return activationFn
                .backprop(preOutput.dup(), new Pass(labels, output, true).gradient)
                .getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        Pass pass = new Pass(labels, output, true);
        double score = average ? pass.value : pass.value * output.size(0);
        return Pair.of(
                score, activationFn.backprop(preOutput.dup(), pass.gradient).getFirst());
    }

    private void requireNoMask(INDArray mask) {
        if (mask != null) {
            throw new UnsupportedOperationException(name() + ": a label mask has no meaning for a batch-level loss");
        }
    }

    @Override
    public String name() {
        return "clip-kd";
    }

    @Override
    public String toString() {
        return "ImageTextKdLoss(embed " + embedDim + ", teacher " + teacherDim + " scale " + teacherScale + ", " + terms
                + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTextKdLoss other
                && other.embedDim == embedDim
                && other.teacherDim == teacherDim
                && Double.compare(other.teacherScale, teacherScale) == 0
                && other.terms.equals(terms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(embedDim, teacherDim, teacherScale, terms);
    }
}
