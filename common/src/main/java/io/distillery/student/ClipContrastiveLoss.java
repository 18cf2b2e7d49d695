package io.distillery.student;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * CLIP's symmetric InfoNCE over the minibatch (open_clip's {@code ClipLoss} on one worker). The output is
 * {@code [B, 2E + 1]}: the image embeddings, the text embeddings, then the logit scale {@code exp(s)} in every row
 * ({@link LogitScale}); row i's image and text are the positive pair. With {@code a}, {@code t} the L2-normalised
 * embeddings and {@code S = scale * a t^T}:
 * <pre>
 *   loss = (CE(S, diag) + CE(S^T, diag)) / 2,   CE averaged over the rows
 * </pre>
 * As for every loss of the project, the score is the mean over rows (row i's part being
 * {@code (lse_j S_ij + lse_j S_ji) / 2 - S_ii}) and the gradient is that of the sum over rows (DL4J's updater
 * divides by the minibatch size). The scale column's gradient is spread evenly over the rows (the layer sums it).
 * The labels are not read (DL4J needs one array per output: pass [B, 1] zeros); a label mask is refused.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class ClipContrastiveLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private int embedDim;
    // the loss's weight in the objective; null (left out of the JSON) for 1
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Double weight;

    protected ClipContrastiveLoss() {}

    /**
     * @param weight the loss's weight in the objective (>= 0; 0 switches the term off, as for the multimodal student's
     *               contrastive-only baseline): the score and the gradient are scaled by it
     */
    public ClipContrastiveLoss(int embedDim, double weight) {
        if (embedDim < 1) {
            throw new IllegalArgumentException("embedding width must be >= 1, got " + embedDim);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be a finite number >= 0, got " + weight);
        }
        this.embedDim = embedDim;
        this.weight = weight == 1.0 ? null : weight;
    }

    public double weight() {
        return weight == null ? 1.0 : weight;
    }

    /** The forward quantities of one minibatch. */
    private final class Pass {
        final long rows;
        final INDArray imageNorms;
        final INDArray textNorms;
        final INDArray images; // normalised [B, E]
        final INDArray texts;
        final double scale;
        final INDArray cosines; // [B, B]
        final INDArray logits;
        final INDArray rowProbs; // softmax over each row's texts
        final INDArray columnProbs; // softmax over each column's images
        final INDArray rowScores; // [B, 1]

        Pass(INDArray output) {
            rows = output.size(0);
            long e = embedDim;
            if (output.rank() != 2 || output.size(1) != 2 * e + 1 || rows < 1) {
                throw new IllegalArgumentException(name() + ": output must be [batch, 2 x " + e
                        + " + 1] (image embeddings, text embeddings, logit scale), got "
                        + Arrays.toString(output.shape()));
            }
            INDArray img = output.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e));
            INDArray txt = output.get(NDArrayIndex.all(), NDArrayIndex.interval(e, 2 * e));
            imageNorms = img.norm2(true, 1);
            textNorms = txt.norm2(true, 1);
            images = img.divColumnVector(imageNorms);
            texts = txt.divColumnVector(textNorms);
            scale = output.get(NDArrayIndex.all(), NDArrayIndex.point(2 * e))
                    .meanNumber()
                    .doubleValue();
            cosines = images.mmul(texts.transpose());
            logits = cosines.mul(scale);
            INDArray rowLse = logSumExpRows(logits);
            INDArray columnLse = logSumExpRows(logits.transpose().dup());
            rowProbs = Transforms.exp(logits.subColumnVector(rowLse), false);
            columnProbs = Transforms.exp(logits.subRowVector(columnLse.reshape(1, rows)), false);
            INDArray diagonal = Nd4j.diag(logits).reshape(rows, 1);
            rowScores = rowLse.add(columnLse).muli(0.5).subi(diagonal).muli(weight());
        }
    }

    /** {@code log sum_j exp(x_ij)} per row, [B, 1], shifted by the row maximum. */
    private static INDArray logSumExpRows(INDArray x) {
        INDArray max = x.max(true, 1);
        INDArray sum = Transforms.exp(x.subColumnVector(max), false).sum(true, 1);
        return Transforms.log(sum, false).addi(max);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        return new Pass(activationFn.getActivation(preOutput.dup(), false)).rowScores;
    }

    @Override
    public double computeScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask)
                .sumNumber()
                .doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        Pass pass = new Pass(output);
        long b = pass.rows;
        long e = embedDim;
        // d(sum of row scores)/dS = ((P - I) + (Q - I)) / 2, P row softmax, Q column softmax
        INDArray dLogits = pass.rowProbs
                .add(pass.columnProbs)
                .subi(Nd4j.eye(b).castTo(output.dataType()).muli(2));
        dLogits.muli(0.5 * weight());
        double dScale = dLogits.mul(pass.cosines).sumNumber().doubleValue();
        INDArray dCosines = dLogits.mul(pass.scale);
        INDArray dImages = dCosines.mmul(pass.texts);
        INDArray dTexts = dCosines.transpose().mmul(pass.images);
        INDArray grad = output.ulike();
        grad.get(NDArrayIndex.all(), NDArrayIndex.interval(0, e))
                .assign(normalisationBackward(dImages, pass.images, pass.imageNorms));
        grad.get(NDArrayIndex.all(), NDArrayIndex.interval(e, 2 * e))
                .assign(normalisationBackward(dTexts, pass.texts, pass.textNorms));
        grad.get(NDArrayIndex.all(), NDArrayIndex.point(2 * e)).assign(dScale / b);
        return activationFn.backprop(preOutput.dup(), grad).getFirst();
    }

    /** Through {@code u = x / |x|}: {@code dx = (du - u (u . du)) / |x|}. */
    private static INDArray normalisationBackward(INDArray du, INDArray u, INDArray norms) {
        INDArray along = du.mul(u).sum(true, 1);
        return du.sub(u.mulColumnVector(along)).diviColumnVector(norms);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return Pair.of(
                computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    private void requireNoMask(INDArray mask) {
        if (mask != null) {
            throw new UnsupportedOperationException(name() + ": a label mask has no meaning for a contrastive loss");
        }
    }

    public int getEmbedDim() {
        return embedDim;
    }

    @Override
    public String name() {
        return "clip-contrastive";
    }

    @Override
    public String toString() {
        return "ClipContrastiveLoss(embed " + embedDim + (weight == null ? "" : ", weight " + weight) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipContrastiveLoss other
                && other.embedDim == embedDim
                && Double.compare(other.weight(), weight()) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(embedDim, weight());
    }
}
