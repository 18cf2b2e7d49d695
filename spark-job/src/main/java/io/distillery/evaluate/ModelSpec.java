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
 *                   {@code student/model.zip} gives target MSE / cosine
 */
public record ModelSpec(String name, String kind, String model, String checkpoint, String runDir) {
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

    static ModelSpec from(Config c) {
        String name = c.hasPath("name") ? c.getString("name") : null;
        String runDir = c.hasPath("run-dir") ? c.getString("run-dir") : null;
        String model =
                c.hasPath("model") ? c.getString("model") : runDir == null ? null : runDir + "/student/config.json";
        String checkpoint = c.hasPath("checkpoint")
                ? c.getString("checkpoint")
                : runDir == null ? null : runDir + "/student/student.safetensors";
        return new ModelSpec(name, c.hasPath("kind") ? c.getString("kind") : "model", model, checkpoint, runDir);
    }
}
