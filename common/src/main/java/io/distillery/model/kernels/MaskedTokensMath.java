package io.distillery.model.kernels;

import io.distillery.masking.MaskInput;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The token moves of a masked student ({@link io.distillery.model.layers.MaskedTokenSelect}), each a pure copy of
 * D-wide token rows chosen by the example's mask: the input is the merge {@code [tokens | mask]} of a token tensor
 * and the graph's {@link MaskInput} row, {@code [B, Tin*D + T + 2]}; the output is {@code [B, Tout*D]}. Every
 * output row is one input row or, for {@link Op#DECODER_INPUT}'s mask tokens, fresh noise; every input row feeds at
 * most one output row, so the backward pass copies each output gradient row back to its source (zero elsewhere,
 * and zero for the mask part: it is data, not a function of the parameters). Copies are BLAS {@code ?copy} calls on
 * the buffers; nothing is kept between the passes (the mask is read again from the input).
 */
public final class MaskedTokensMath implements NativeLayerMath {
    /** What the layer does (fairseq's name for the step in brackets). */
    public enum Op {
        /** {@code [cls ; T patches]} to {@code [cls ; K kept]} ({@code apply_mask}, CLS prepended after it). */
        ENCODER_INPUT,
        /**
         * The encoder's {@code [cls ; K kept]} to the T-token grid: kept tokens back in place, CLS dropped, every
         * masked position a mask token of N(0, noiseStd) entries ({@code decoder_input}).
         */
        DECODER_INPUT,
        /** The decoder's T grid tokens to the M masked ones, ascending ({@code x[mask]} before the loss). */
        MASKED_PREDICTIONS
    }

    private final Op op;
    private final int patches;
    private final int kept;
    private final int dim;
    private final double noiseStd;

    public MaskedTokensMath(Op op, int patches, int kept, int dim, double noiseStd) {
        check(op, patches, kept, dim, noiseStd);
        this.op = op;
        this.patches = patches;
        this.kept = kept;
        this.dim = dim;
        this.noiseStd = noiseStd;
    }

    /** Refuses sizes no mask can have. */
    public static void check(Op op, int patches, int kept, int dim, double noiseStd) {
        if (op == null
                || patches < 1
                || kept < 0
                || kept > patches
                || dim < 1
                || !(noiseStd >= 0)
                || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("invalid masked token op " + op + ": " + kept + " kept of " + patches
                    + " patches, dim " + dim + ", noise std " + noiseStd);
        }
    }

    /** Token rows of the token part of the input. */
    public static int inputTokens(Op op, int patches, int kept) {
        return switch (op) {
            case ENCODER_INPUT -> patches + 1;
            case DECODER_INPUT -> kept + 1;
            case MASKED_PREDICTIONS -> patches;
        };
    }

    /** Token rows of the output. */
    public static int outputTokens(Op op, int patches, int kept) {
        return switch (op) {
            case ENCODER_INPUT -> kept + 1;
            case DECODER_INPUT -> patches;
            case MASKED_PREDICTIONS -> patches - kept;
        };
    }

    private long tokenWidth() {
        return (long) inputTokens(op, patches, kept) * dim;
    }

    private long inputWidth() {
        return tokenWidth() + MaskInput.width(patches);
    }

    /**
     * For each output token of one example, the input token it copies, or -1 for a mask token.
     *
     * @param order the example's kept indices then its masked indices
     */
    private int[] sources(int[] order) {
        int[] src = new int[outputTokens(op, patches, kept)];
        switch (op) {
            case ENCODER_INPUT -> {
                src[0] = 0; // CLS
                for (int i = 0; i < kept; i++) {
                    src[1 + i] = 1 + order[i];
                }
            }
            case DECODER_INPUT -> {
                for (int i = 0; i < kept; i++) {
                    src[order[i]] = 1 + i;
                }
                for (int j = kept; j < patches; j++) {
                    src[order[j]] = -1;
                }
            }
            case MASKED_PREDICTIONS -> {
                for (int j = kept; j < patches; j++) {
                    src[j - kept] = order[j];
                }
            }
        }
        return src;
    }

    private MaskInput.Rows masks(INDArray in) {
        long width = inputWidth();
        double[][] rows = in.get(NDArrayIndex.all(), NDArrayIndex.interval(tokenWidth(), width))
                .toDoubleMatrix();
        return MaskInput.read(rows, patches, kept);
    }

    private INDArray dense(INDArray input) {
        if (input.rank() != 2 || input.size(1) != inputWidth()) {
            throw new IllegalArgumentException(op + " expects [B, " + inputWidth() + "] (tokens and mask), got "
                    + java.util.Arrays.toString(input.shape()));
        }
        return Blas.rows(input, input.size(0), inputWidth());
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        INDArray in = dense(input);
        int batch = (int) in.size(0);
        MaskInput.Rows masks = masks(in);
        int outTokens = outputTokens(op, patches, kept);
        INDArray out = output.create(in.dataType(), batch, (long) outTokens * dim);
        double[] noise = new double[dim];
        for (int r = 0; r < batch; r++) {
            int[] src = sources(masks.order()[r]);
            SplittableRandom random = op == Op.DECODER_INPUT ? new SplittableRandom(masks.noiseSeeds()[r]) : null;
            for (int j = 0; j < outTokens; j++) {
                long to = ((long) r * outTokens + j) * dim;
                if (src[j] >= 0) {
                    Blas.copy(dim, in, r * inputWidth() + (long) src[j] * dim, out, to);
                } else {
                    // fairseq draws these per call; here they are a function of the example (MaskInput)
                    for (int d = 0; d < dim; d++) {
                        noise[d] = noiseStd > 0 ? random.nextGaussian() * noiseStd : 0;
                    }
                    Blas.put(noise, out, to);
                }
            }
        }
        return out;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        INDArray in = dense(input);
        int batch = (int) in.size(0);
        MaskInput.Rows masks = masks(in);
        int outTokens = outputTokens(op, patches, kept);
        INDArray dOut = Blas.rows(epsilon, batch, (long) outTokens * dim);
        INDArray dInput = inputGrad.create(in.dataType(), batch, inputWidth()).assign(0);
        for (int r = 0; r < batch; r++) {
            int[] src = sources(masks.order()[r]);
            for (int j = 0; j < outTokens; j++) {
                if (src[j] >= 0) {
                    Blas.copy(
                            dim,
                            dOut,
                            ((long) r * outTokens + j) * dim,
                            dInput,
                            r * inputWidth() + (long) src[j] * dim);
                }
            }
        }
        return dInput;
    }
}
