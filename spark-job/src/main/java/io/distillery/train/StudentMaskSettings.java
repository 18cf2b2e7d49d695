package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.masking.MaskKind;
import io.distillery.masking.MaskSettings;
import io.distillery.model.ModelConfig;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.student.StudentMasking;

/**
 * {@code student.mask} of a train section: off by default; when {@code enabled}, the masked student of data2vec
 * 2.0's efficient recipe ({@link StudentMasking}, docs/masking.md). Every key is read and checked even while masking
 * is off, so a typo does not wait for the day it is switched on; every message names the full key.
 */
final class StudentMaskSettings {
    static final String KEY = "student.mask";
    static final String KEY_ENABLED = "enabled";

    private StudentMaskSettings() {}

    /** The settings of {@code c} (the resolved {@code section}); null when masking is off. */
    static StudentMasking from(Config c, String section) {
        String prefix = section + "." + KEY + ".";
        StudentMasking masking;
        boolean enabled;
        try {
            // full paths (not a sub-config) so that typesafe's own messages name the whole key
            enabled = c.getBoolean(path(KEY_ENABLED));
            MaskKind kind = MaskKind.fromConfigName(c.getString(path(MaskSettings.KEY_KIND)));
            masking = new StudentMasking(
                    new MaskSettings(
                            c.getDouble(path(MaskSettings.KEY_RATIO)),
                            kind,
                            c.getInt(path(MaskSettings.KEY_BLOCK_SIZE)),
                            c.getDouble(path(MaskSettings.KEY_PROB_ADJUST)),
                            c.getInt(path(MaskSettings.KEY_CLONES))),
                    c.getInt(path(StudentMasking.KEY_DECODER_DIM)),
                    c.getInt(path(StudentMasking.KEY_DECODER_LAYERS)),
                    c.getInt(path(StudentMasking.KEY_DECODER_KERNEL)),
                    c.getInt(path(StudentMasking.KEY_DECODER_GROUPS)),
                    c.getDouble(path(StudentMasking.KEY_NOISE_STD)));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(section + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw named(prefix, e);
        }
        return enabled ? masking : null;
    }

    private static String path(String key) {
        return KEY + "." + key;
    }

    /**
     * Checks {@code masking} against the student and the job's other settings: the student's family, widths and
     * grid ({@link StudentMasking#check}), {@code target.top-k} (a masked student has no top-k average: its decoder
     * reads the last block), the losses (d2v alone: nothing else is wired for a student that sees K of T patches)
     * and the batch size, which counts examples (rows x clones) and must hold whole rows.
     */
    static void check(StudentMasking masking, ModelConfig student, TrainSettings s, LossSettings losses) {
        String prefix = s.section() + "." + KEY + ".";
        for (LossSpec spec : losses.losses()) {
            if (spec.group() != LossGroup.D2V) {
                throw new IllegalArgumentException(spec.label() + ": a masked student (" + prefix + KEY_ENABLED
                        + " = true) trains the d2v loss only; drop the term or turn masking off");
            }
        }
        try {
            masking.check(student);
        } catch (IllegalArgumentException e) {
            throw named(prefix, e);
        }
        if (s.topK() != 0) {
            throw new IllegalArgumentException(s.section() + ".target.top-k is " + s.topK() + " but a masked student ("
                    + prefix + KEY_ENABLED + " = true) averages no blocks: its decoder predicts the targets from the"
                    + " last block; leave top-k = all");
        }
        int clones = masking.mask().clones();
        int batch = s.averaging().batchSizePerWorker();
        if (batch % clones != 0) {
            throw new IllegalArgumentException(s.section() + ".parameter-averaging.batch-size-per-worker is " + batch
                    + " but must be a multiple of " + prefix + MaskSettings.KEY_CLONES + " (" + clones
                    + "): a batch counts examples, rows x clones, and holds whole rows");
        }
    }

    /** {@code mask ratio must be ...} (what the settings classes say) as {@code <section>.student.mask.ratio ...}. */
    private static IllegalArgumentException named(String prefix, IllegalArgumentException e) {
        String message = e.getMessage();
        if (message != null && message.startsWith("mask ")) {
            return new IllegalArgumentException(prefix + message.substring("mask ".length()), e);
        }
        return new IllegalArgumentException(prefix.substring(0, prefix.length() - 1) + ": " + message, e);
    }
}
