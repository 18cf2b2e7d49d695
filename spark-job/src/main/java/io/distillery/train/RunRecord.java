package io.distillery.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigRenderOptions;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.provenance.BuildInfo;
import io.distillery.provenance.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run dir's {@code run.json} says about how its model was made, as Tribuo's provenance and MLlib's saved
 * metadata do: the resolved settings, seed, data, initial weights, versions, times and resumes. Written by
 * {@link RunFile} as snake_case JSON; immutable, each change makes a new record.
 *
 * @param format         always {@link #FORMAT}
 * @param formatVersion  layout version; a reader refuses newer ones
 * @param job            {@code train} or {@code finetune}
 * @param status         {@link #RUNNING} (also what a killed session leaves), {@link #COMPLETE} or {@link #FAILED}
 * @param started        when the run's first session started (ISO-8601); null for a run begun before run.json existed
 * @param ended          when the last session ended; null while it runs
 * @param failure        why the last session failed (one line); null unless failed
 * @param iteration      the iteration the last session reached (while running: the one it started from)
 * @param seed           {@code optimizer.seed}
 * @param data           what the run trains on
 * @param initCheckpoint the pretrained weights the model started from; null for random initial weights
 * @param versions       Distillery, DL4J, Spark (build and runtime), Java and OS of the first session
 * @param resumes        every {@code --resume} session, in order
 * @param config         the latest session's resolved settings, every key, as {@code {"distillery":{"train":{..}}}}:
 *                       saved as a file it is a job file for {@code --config}
 */
public record RunRecord(
        String format,
        int formatVersion,
        String job,
        String status,
        String started,
        String ended,
        String failure,
        int iteration,
        long seed,
        Data data,
        Checkpoint initCheckpoint,
        Map<String, String> versions,
        List<Resume> resumes,
        JsonNode config) {

    public static final String FORMAT = "distillery-run";
    public static final int CURRENT_VERSION = 1;
    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";

    public RunRecord {
        resumes = resumes == null ? List.of() : List.copyOf(resumes); // a hand-edited file may say null
    }

    /** A file and its SHA-256. */
    public record Checkpoint(String path, String sha256) {}

    /** A target recipe as extract applied it: per-block tensor, tokens, the teacher's top-K blocks, epsilon. */
    public record Recipe(String tensor, String tokens, int topK, double eps) {}

    /**
     * @param path           the feature dataset, or finetune's labelled image shards
     * @param kind           {@code features} or {@code images}
     * @param status         the feature dataset's status when the session started; null for images
     * @param rows           the feature dataset's rows; null for images
     * @param metadataSha256 SHA-256 of the dataset's metadata as Distillery serialises it: equal digests, same
     *                       teacher, recipe, preprocessing and input; null for images
     * @param teacher        the teacher checkpoint that made the targets; null for images
     * @param target         the recipe of the dataset's targets; null for images
     */
    public record Data(
            String path,
            String kind,
            String status,
            Long rows,
            String metadataSha256,
            Checkpoint teacher,
            Recipe target) {

        /** @param path the dataset's path, qualified (absolute, with its scheme) */
        static Data of(FeatureDataset dataset, String path) {
            FeatureMetadata md = dataset.metadata();
            FeatureMetadata.Target t = md.target();
            return new Data(
                    path,
                    "features",
                    dataset.status().status(),
                    dataset.status().rows(),
                    Sha256.of(FeatureMetadataJson.toJson(md).getBytes(StandardCharsets.UTF_8)),
                    new Checkpoint(md.teacher().checkpoint(), md.teacher().checkpointSha256()),
                    new Recipe(t.tensor(), t.tokens(), t.topK(), t.eps()));
        }

        static Data images(String path) {
            return new Data(path, "images", null, null, null, null, null);
        }
    }

    /**
     * @param fromIteration   the checkpoint the session continued from
     * @param at              when it started
     * @param changedSettings settings (dotted paths) whose value differs from the session before, and the data's
     *                        {@code data.metadata_sha256} when the dataset changed under its path
     * @param versions        the versions of this session
     */
    public record Resume(
            int fromIteration, String at, Map<String, Change> changedSettings, Map<String, String> versions) {}

    /** A value before and after a resume; null where the setting did not exist. */
    public record Change(JsonNode before, JsonNode after) {}

    /**
     * The record of a session that starts at {@code iteration} now, as if it began the run.
     *
     * @param sparkRuntime the Spark version the job runs on (the build's is in {@link BuildInfo#versions()})
     */
    static RunRecord session(
            String job, TrainSettings s, Data data, Checkpoint initCheckpoint, int iteration, String sparkRuntime) {
        Map<String, String> versions = new LinkedHashMap<>(BuildInfo.versions());
        versions.put("spark_runtime", sparkRuntime);
        return new RunRecord(
                FORMAT,
                CURRENT_VERSION,
                job,
                RUNNING,
                RunFile.now(),
                null,
                null,
                iteration,
                s.optimization().seed(),
                data,
                initCheckpoint,
                versions,
                List.of(),
                configJson(s));
    }

    /** Every resolved key of the job's section, placed under the section's path. */
    static JsonNode configJson(TrainSettings s) {
        String json = s.source().atPath(s.section()).root().render(ConfigRenderOptions.concise());
        try {
            return new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Typesafe Config rendered invalid JSON for " + s.section(), e);
        }
    }

    /** This record with another status, end time, failure and iteration. */
    RunRecord with(String newStatus, String newEnded, String newFailure, int newIteration) {
        return new RunRecord(
                format,
                formatVersion,
                job,
                newStatus,
                started,
                newEnded,
                newFailure,
                newIteration,
                seed,
                data,
                initCheckpoint,
                versions,
                resumes,
                config);
    }
}
