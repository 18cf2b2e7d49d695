package io.distillery.losses.imagetext;

/**
 * {@code clip}: CLIP's symmetric InfoNCE on the student's own pairs, the task loss of CLIP-KD's {@code KDClipLoss}
 * (= open_clip's {@code ClipLoss} on normalised features), with the student's embeddings [N, D] L2-normalised here:
 * <pre>
 *   L = exp(l) normalize(img) normalize(txt)^T,      loss = (CE(L, arange N) + CE(L^T, arange N)) / 2
 *   dLoss/dL = (rowsoftmax(L) + colsoftmax(L) - 2 I) / (2N);    dLoss/dl = sum(dLoss/dL o L)
 * </pre>
 * l is CLIP's stored {@code logit_scale} (a log; the model multiplies by its exp). The loss does not clamp it: the
 * reference clamps the parameter to [0, ln 100] after each optimiser step ({@code logit_scale.clamp_(0,
 * math.log(100))} in train.py), so that is the trainer's job, and the gradient here is the unclamped one.
 * (The reference's world_size == 1 branch reads the normalised features before defining them; this follows its
 * multi-process branch, which normalises the student's features first.) A single pair gives 0 with zero gradients.
 */
public final class ClipContrastiveLoss implements ImageTextLoss {
    public static final String TYPE = "clip";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        StudentSimilarity student = new StudentSimilarity(inputs, TYPE);
        Softmax.Scored scored = Softmax.symmetricCrossEntropy(student.logits());
        return student.backward(scored.value(), scored.gradient());
    }
}
