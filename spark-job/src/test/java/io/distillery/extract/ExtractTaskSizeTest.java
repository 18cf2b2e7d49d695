package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * The function every extract task runs must stay small: Spark broadcasts a task's closure separately from the task
 * message, so spark.rpc.message.maxSize does not catch a model captured in it (ExtractClusterIT shows both). The
 * teacher is loaded on the executors (ExecutorModelCache); the task carries settings and the metadata JSON only.
 */
class ExtractTaskSizeTest {
    @Test
    void theTaskFunctionCarriesNoModel(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path parity = ParityFiles.root();
        ExtractSettings s = ExtractSettings.from(JobConfigLoader.load(
                null,
                TestInputs.overrides(dir, "image-folder", dir.resolve("out"), "store.layers=[1,2,3,4]"),
                "distillery.extract"));
        var teacher = ModelConfigs.resolve(
                parity.resolve("teacher_beitv2/config.json").toString());
        String metadataJson = FeatureMetadataJson.toJson(
                FeatureMetadataFactory.create(s, teacher, "0".repeat(64), List.of("a", "b"), "3.5.9", null));
        LongAccumulator acc = SparkTestSession.get().sparkContext().longAccumulator("size-test");
        ExtractTask task =
                new ExtractTask(s, metadataJson, List.of("a", "b"), new ExtractCounters(acc, acc), TestHooks.NONE);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(task);
        }
        // the teacher's weights alone are ~0.3 MB for the tiny parity model and ~350 MB for BEiT v2 base
        assertThat(bytes.size()).as("serialized ExtractTask bytes").isLessThan(32 * 1024);
    }
}
