package io.distillery.bench;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import java.util.Arrays;
import java.util.Locale;

/**
 * The rows of {@code distillery benchmark engine}: one model, what is timed (a teacher pass or a student train
 * step), the batch, and the goal for DL4J images/s ÷ PyTorch images/s. The names are {@code bench/torch_engine.py}'s
 * {@code --model} values.
 */
public enum EngineRow {
    /** BEiT v2 base teacher, forward + data2vec targets of all 12 blocks. */
    BEIT_BASE("beit-base", ModelConfigs.presets().get("beitv2_base_patch16_224"), false, 16, 0, 0.9),
    /** data2vec 2.0 student 6 × 768 at 224, regressing BEiT v2 base's 768-wide targets (no projection). */
    D2V_STUDENT_BASE(
            "d2v-student-base",
            ModelConfigs.presets().get("data2vec2_base_patch16_224").withDepth(6),
            true,
            8,
            768,
            0.7),
    /** The train benchmark's student, regressing the extract benchmark teacher's 192-wide targets. */
    D2V_STUDENT_SMALL(
            "d2v-student-small",
            TrainBenchmark.student(),
            true,
            32,
            ExtractBenchmark.defaultTeacher().embedDim(),
            0.7),
    /** The extract benchmark's teacher, forward + targets. */
    BEIT_SMALL("beit-small", ExtractBenchmark.defaultTeacher(), false, 32, 0, 0.9);

    private final String id;
    private final ModelConfig config;
    private final boolean train;
    private final int batch;
    private final int targetDim;
    private final double goal;

    EngineRow(String id, ModelConfig config, boolean train, int batch, int targetDim, double goal) {
        this.id = id;
        this.config = config;
        this.train = train;
        this.batch = batch;
        this.targetDim = targetDim;
        this.goal = goal;
    }

    public static EngineRow fromId(String id) {
        return Arrays.stream(values())
                .filter(r -> r.id.equals(id.strip()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown engine row '" + id + "' (known: "
                        + String.join(
                                ", ", Arrays.stream(values()).map(EngineRow::id).toList()) + ")"));
    }

    public String id() {
        return id;
    }

    public ModelConfig config() {
        return config;
    }

    /** True: one student train step; false: a teacher forward pass + targets. */
    public boolean train() {
        return train;
    }

    public int batch() {
        return batch;
    }

    /** The teacher width the student regresses (train rows only). */
    public int targetDim() {
        return targetDim;
    }

    public double goal() {
        return goal;
    }

    public long flopsPerImage() {
        return train ? EngineFlops.trainStep(config, targetDim) : EngineFlops.forward(config);
    }

    /** "BEiT v2 224/16, 12 x 768, 12 heads" style. */
    public String size() {
        return String.format(
                Locale.ROOT,
                "%s %d/%d, %d x %d, %d heads%s",
                config.family() == ModelFamily.BEITV2 ? "BEiT v2" : "d2v 2.0",
                config.imgSize(),
                config.patchSize(),
                config.depth(),
                config.embedDim(),
                config.numHeads(),
                train && targetDim != config.embedDim() ? ", proj to " + targetDim : "");
    }

    /** {@code bench/torch_engine.py} arguments for this row's model, mode and shapes. */
    public String[] torchArgs() {
        return new String[] {
            "--model",
            id,
            "--mode",
            train ? "train" : "forward",
            "--batch",
            "" + batch,
            "--img",
            "" + config.imgSize(),
            "--patch",
            "" + config.patchSize(),
            "--dim",
            "" + config.embedDim(),
            "--depth",
            "" + config.depth(),
            "--heads",
            "" + config.numHeads(),
            "--target-dim",
            "" + (train ? targetDim : config.embedDim())
        };
    }
}
