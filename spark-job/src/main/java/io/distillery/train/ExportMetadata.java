package io.distillery.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The essentials of a run's {@link RunRecord} as safetensors {@code __metadata__} (a string-to-string map, as the
 * format requires), so that whoever holds only the exported file can tell which data, teacher, recipe, seed and
 * initial weights made it. {@link io.distillery.model.EncoderExport} adds the versions and the time.
 */
final class ExportMetadata {
    static final String PREFIX = "distillery.";

    private ExportMetadata() {}

    /** @param iteration the iteration the exported weights are from */
    static Map<String, String> of(RunRecord run, int iteration) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "job", run.job());
        m.put(PREFIX + "iterations", String.valueOf(iteration));
        m.put(PREFIX + "seed", String.valueOf(run.seed()));
        RunRecord.Data data = run.data();
        m.put(PREFIX + "dataset", data.path());
        if (data.metadataSha256() != null) {
            m.put(PREFIX + "dataset.metadata-sha256", data.metadataSha256());
        }
        if (data.teacher() != null) {
            m.put(PREFIX + "teacher.checkpoint", String.valueOf(data.teacher().path()));
            m.put(
                    PREFIX + "teacher.checkpoint-sha256",
                    String.valueOf(data.teacher().sha256()));
        }
        if (data.target() != null) {
            RunRecord.Recipe t = data.target();
            m.put(PREFIX + "target.tensor", t.tensor());
            m.put(PREFIX + "target.tokens", t.tokens());
            m.put(PREFIX + "target.top-k", String.valueOf(t.topK()));
            m.put(PREFIX + "target.eps", String.valueOf(t.eps()));
        }
        if (run.initCheckpoint() != null) {
            m.put(PREFIX + "init-checkpoint", run.initCheckpoint().path());
            m.put(PREFIX + "init-checkpoint-sha256", run.initCheckpoint().sha256());
        }
        return m;
    }
}
