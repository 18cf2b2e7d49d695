package io.distillery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job settings against the shipped reference.conf: precedence, unknown keys, and the repository's own job files. */
class JobConfigKeysTest {

    @Test
    void aMisspeltKeyIsRejectedNamingItAndTheFile(@TempDir Path dir) throws Exception {
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "distillery.train { iteratons = 10 }");
        assertThatThrownBy(() -> JobConfigLoader.load(job, List.of(), "distillery.train"))
                .hasMessageContaining("unknown setting 'distillery.train.iteratons'")
                .hasMessageContaining(job.toString());
        assertThatThrownBy(() -> JobConfigLoader.load(null, List.of("optimizer.learning-rate=1"), "distillery.train"))
                .hasMessageContaining("unknown setting 'distillery.train.optimizer.learning-rate' (--set)");
    }

    @Test
    void commandLineBeatsTheJobFileWhichBeatsTheDefaults(@TempDir Path dir) throws Exception {
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "distillery.train { iterations = 10, seed = 3 }");
        var c = JobConfigLoader.load(job, List.of("iterations=20"), "distillery.train");
        assertThat(c.getInt("iterations")).isEqualTo(20);
        assertThat(c.getInt("seed")).isEqualTo(3);
        assertThat(c.getInt("checkpoint.every")).isEqualTo(100);
        // values that are null by default (paths) and whole lists can be set
        var e = JobConfigLoader.load(null, List.of("models=[{name = a}]", "out=x"), "distillery.evaluate");
        assertThat(e.getConfigList("models")).hasSize(1);
    }

    @Test
    void bareUrisNeedNoHoconQuotes() {
        var c = JobConfigLoader.load(
                null,
                List.of(
                        "input.path=hdfs://nn:8020/images/train",
                        "output.path=s3a://bucket/features#1",
                        "teacher.checkpoint=file:/models/beit.safetensors",
                        "teacher.model=\"hdfs://nn/x.json\"",
                        "store.layers=[6, 12]"),
                "distillery.extract");
        assertThat(c.getString("input.path")).isEqualTo("hdfs://nn:8020/images/train");
        assertThat(c.getString("output.path")).isEqualTo("s3a://bucket/features#1");
        assertThat(c.getString("teacher.checkpoint")).isEqualTo("file:/models/beit.safetensors");
        assertThat(c.getString("teacher.model")).isEqualTo("hdfs://nn/x.json");
        assertThat(c.getIntList("store.layers")).containsExactly(6, 12);
    }

    @Test
    void everyShippedJobFileUsesOnlyKnownKeys() throws Exception {
        Path conf = Path.of(System.getProperty("distillery.root", "..")).resolve("conf");
        try (Stream<Path> files = Files.walk(conf)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                String text = Files.readString(file);
                for (String job : List.of("extract", "train", "finetune", "evaluate")) {
                    if (text.contains("distillery." + job)) {
                        JobConfigLoader.load(file, List.of(), "distillery." + job);
                    }
                }
            }
        }
    }
}
