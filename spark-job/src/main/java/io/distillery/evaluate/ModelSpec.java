package io.distillery.evaluate;

import com.typesafe.config.Config;

/**
 * One encoder to evaluate.
 *
 * @param name       its row in the report
 * @param kind       teacher, student, baseline, finetuned, ... (free form)
 * @param model      preset or config.json
 * @param checkpoint safetensors, or {@code random} for a randomly initialised encoder of {@code model} (seeded)
 * @param runDir     a train run directory: model and checkpoint default to its exported student, and its
 *                   {@code student/model.zip} gives target MSE / cosine; for text, a text train run
 *                   ({@code student/}) or a pretrain-mlm run ({@code model/}), looked up when the job runs
 */
public record ModelSpec(String name, String kind, String model, String checkpoint, String runDir)
        implements java.io.Serializable {
    public static final String RANDOM = "random";

    public ModelSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("distillery.evaluate.models: every model needs a name");
        }
        if (runDir == null && (model == null || checkpoint == null)) {
            throw new IllegalArgumentException(
                    "distillery.evaluate.models." + name + ": set run-dir (a train run) or both model and checkpoint");
        }
    }

    /**
     * @param text a text model: a run directory's model and checkpoint stay unset here and are looked up when the job
     *             runs ({@code <run>/student/} of a text train run, else {@code <run>/model/} of a pretrain-mlm run)
     */
    static ModelSpec from(Config c, boolean text) {
        String name = c.hasPath("name") ? c.getString("name") : null;
        String runDir = c.hasPath("run-dir") ? c.getString("run-dir") : null;
        boolean defaults = runDir != null && !text;
        String model = c.hasPath("model") ? c.getString("model") : defaults ? runDir + "/student/config.json" : null;
        String checkpoint = c.hasPath("checkpoint")
                ? c.getString("checkpoint")
                : defaults ? runDir + "/student/student.safetensors" : null;
        return new ModelSpec(name, c.hasPath("kind") ? c.getString("kind") : "model", model, checkpoint, runDir);
    }
}
