package io.distillery.student;

import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskSettings;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import java.util.Locale;

/**
 * How a masked student trains (data2vec 2.0's efficient recipe, {@link MaskedStudentGraph}): its masks and the
 * training-only decoder that predicts the teacher's targets at the masked positions. Validated on construction;
 * messages start with {@code mask <key>} (the key below {@code student.mask}), which the train job prefixes with
 * its section.
 *
 * @param mask          the masks (ratio, kind, block size, prob-adjust, clones)
 * @param decoderDim    the decoder's width; 0 = the student's embed_dim (data2vec 2.0 base: 768 = the encoder's)
 * @param decoderLayers conv blocks of the decoder (base: 6)
 * @param decoderKernel conv kernel side (base: 3)
 * @param decoderGroups conv groups (base: 16); must divide the student's and the decoder's widths
 * @param noiseStd      std of the mask tokens' N(0, std) entries (fairseq's {@code mask_noise_std}, 0.01)
 */
public record StudentMasking(
        MaskSettings mask, int decoderDim, int decoderLayers, int decoderKernel, int decoderGroups, double noiseStd)
        implements java.io.Serializable {
    public static final String KEY_DECODER_DIM = "decoder.dim";
    public static final String KEY_DECODER_LAYERS = "decoder.layers";
    public static final String KEY_DECODER_KERNEL = "decoder.kernel";
    public static final String KEY_DECODER_GROUPS = "decoder.groups";
    public static final String KEY_NOISE_STD = "decoder.mask-noise-std";

    public static final int DEFAULT_DECODER_DIM = 0;
    public static final int DEFAULT_DECODER_LAYERS = 6;
    public static final int DEFAULT_DECODER_KERNEL = 3;
    public static final int DEFAULT_DECODER_GROUPS = 16;
    public static final double DEFAULT_NOISE_STD = 0.01;

    public StudentMasking {
        if (mask == null) {
            throw new IllegalArgumentException("mask settings must not be null");
        }
        if (decoderDim < 0) {
            throw new IllegalArgumentException(
                    "mask " + KEY_DECODER_DIM + " must be >= 0 (0 = the student's width), got " + decoderDim);
        }
        if (decoderLayers < 1) {
            throw new IllegalArgumentException("mask " + KEY_DECODER_LAYERS + " must be >= 1, got " + decoderLayers);
        }
        if (decoderKernel < 1) {
            throw new IllegalArgumentException("mask " + KEY_DECODER_KERNEL + " must be >= 1, got " + decoderKernel);
        }
        if (decoderGroups < 1) {
            throw new IllegalArgumentException("mask " + KEY_DECODER_GROUPS + " must be >= 1, got " + decoderGroups);
        }
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException(
                    "mask " + KEY_NOISE_STD + " must be a finite number >= 0, got " + noiseStd);
        }
    }

    /** data2vec 2.0's base image recipe (masks, decoder as wide as the student, 6 blocks, kernel 3, 16 groups). */
    public static StudentMasking data2vec2Images() {
        return new StudentMasking(
                MaskSettings.data2vec2Images(),
                DEFAULT_DECODER_DIM,
                DEFAULT_DECODER_LAYERS,
                DEFAULT_DECODER_KERNEL,
                DEFAULT_DECODER_GROUPS,
                DEFAULT_NOISE_STD);
    }

    /** The decoder's width for {@code student}. */
    public int decoderWidth(ModelConfig student) {
        return decoderDim == 0 ? student.embedDim() : decoderDim;
    }

    /** The masks of {@code student}'s patch grid. */
    public MaskGenerator generator(ModelConfig student) {
        return new MaskGenerator(mask, student.gridSize());
    }

    /**
     * Refuses a student these settings cannot train: another family than data2vec2 (BEiT's relative position bias
     * depends on where each token sits, and it has no absolute positions to carry that through a gather), a mask
     * that keeps no patch, or decoder groups that do not divide the widths.
     */
    public void check(ModelConfig student) {
        if (student.family() != ModelFamily.DATA2VEC2) {
            throw new IllegalArgumentException("mask enabled = true needs a data2vec2 student (sin-cos positions"
                    + " added to the patches before masking); a "
                    + student.family().id() + " student's relative"
                    + " position bias depends on where each token sits");
        }
        MaskGenerator generator = generator(student);
        if (generator.keptCount() < 1) {
            throw new IllegalArgumentException("mask " + MaskSettings.KEY_RATIO + " " + mask.ratio() + " keeps no"
                    + " patch of the student's " + generator.tokens() + " (int(T * (1 - ratio)) = 0)");
        }
        int width = decoderWidth(student);
        if (student.embedDim() % decoderGroups != 0 || width % decoderGroups != 0) {
            throw new IllegalArgumentException("mask " + KEY_DECODER_GROUPS + " " + decoderGroups
                    + " must divide the student's embed_dim " + student.embedDim() + " and the decoder width "
                    + width);
        }
    }

    /** One line for logs and the export's metadata. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s ratio %s block-size %d prob-adjust %s clones %d; decoder dim %d layers %d kernel %d groups %d"
                        + " mask-noise-std %s",
                mask.kind().configName(),
                mask.ratio(),
                mask.blockSize(),
                mask.probAdjust(),
                mask.clones(),
                decoderDim,
                decoderLayers,
                decoderKernel,
                decoderGroups,
                noiseStd);
    }
}
