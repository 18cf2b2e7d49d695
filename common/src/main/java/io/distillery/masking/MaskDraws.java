package io.distillery.masking;

/**
 * The random numbers a mask algorithm consumes, one call per number fairseq's torch code draws, in the same order:
 * {@link #nextIndex} per element of {@code torch.randint(0, bound, ...)}, {@link #nextExponential} per element of
 * the weight vector of {@code torch.multinomial(w, k, replacement=False)} (PyTorch draws one Exp(1) key per element
 * and keeps the k largest {@code w / key}), {@link #nextUniform} per element of {@code torch.rand}. Production
 * code uses {@link SeededMaskDraws}; the parity tests replay draws recorded from fairseq.
 */
public interface MaskDraws {
    /** A uniform integer in {@code [0, bound)}. */
    int nextIndex(int bound);

    /** A uniform double in {@code [0, 1)}. */
    double nextUniform();

    /** An Exp(1) variate ({@code -log(1 - u)} of the next uniform unless an implementation says otherwise). */
    default double nextExponential() {
        return -Math.log1p(-nextUniform());
    }
}
