package io.distillery.shards;

import static io.distillery.shards.ShardTestData.IMG2DATASET;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetShardReaderTest {
    private static final int ROWS = 40;

    @TempDir
    Path dir;

    @Test
    void splitsReturnEveryRowExactlyOnce() throws IOException {
        SimpleGroupFactory rows = new SimpleGroupFactory(IMG2DATASET);
        ShardTestData.parquet(dir.resolve("part-00000.parquet"), IMG2DATASET, 2048, ROWS, i -> {
            Group row = rows.newGroup().append("key", String.format("%06d", i)).append("label", 1000L + i);
            if (i % 10 != 7) { // rows 7, 17, ... have a null image
                row.append("jpg", Binary.fromConstantByteArray(ShardTestData.image(300, i)));
            }
            if (i % 2 == 0) {
                row.append("caption", "row " + i);
            }
            return row;
        });
        InputOptions options =
                new InputOptions(ShardFormat.PARQUET, dir.toString(), 1000, 2, "jpg", "key", "caption", "label");
        ShardPlan plan = ShardLister.list(options, new Configuration());
        assertThat(plan.shards()).as("splits").hasSizeGreaterThan(2);

        Map<String, RawSample> byKey = new HashMap<>();
        long withoutImage = 0;
        for (Shard split : plan.shards()) {
            try (ShardReader reader = ShardReader.open(split, options, plan.classNames(), new Configuration())) {
                List<RawSample> samples = new ArrayList<>();
                reader.forEachRemaining(samples::add);
                withoutImage += reader.withoutImage();
                assertThat(samples.size()).as(split.id()).isEqualTo(split.estimatedSamples());
                for (RawSample s : samples) {
                    assertThat(byKey.put(s.key(), s))
                            .as("row %s read twice", s.key())
                            .isNull();
                }
            }
        }

        assertThat(withoutImage).isEqualTo(4);
        assertThat(byKey).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            RawSample s = byKey.get(String.format("%06d", i));
            if (i % 10 == 7) {
                assertThat(s.image()).isNull();
                assertThat(s.problem()).isEqualTo(SampleProblem.NO_IMAGE);
                assertThat(s.problemMessage()).isEqualTo("row " + i + " has no image bytes");
                assertThat(s.imageName()).isEqualTo("part-00000.parquet#" + i);
                continue;
            }
            assertThat(s.image()).isEqualTo(ShardTestData.image(300, i));
            assertThat(s.label()).isEqualTo(1000 + i);
            assertThat(s.caption()).isEqualTo(i % 2 == 0 ? "row " + i : null);
            assertThat(s.imageName()).isEqualTo("part-00000.parquet#" + i);
        }
    }

    @Test
    void missingKeyColumnGivesFileStemAndRowIndex() throws IOException {
        MessageType schema =
                MessageTypeParser.parseMessageType("message images { required binary image; optional int32 cls; }");
        SimpleGroupFactory rows = new SimpleGroupFactory(schema);
        ShardTestData.parquet(
                dir.resolve("shard-7.parquet"),
                schema,
                1024,
                20,
                i -> rows.newGroup()
                        .append("image", Binary.fromConstantByteArray(ShardTestData.image(200, i)))
                        .append("cls", i % 3));
        InputOptions options =
                new InputOptions(ShardFormat.PARQUET, dir.toString(), 1000, 1, "image", "key", "caption", "cls");
        ShardPlan plan = ShardLister.list(options, new Configuration());
        assertThat(plan.shards()).hasSizeGreaterThan(1);

        List<RawSample> samples = new ArrayList<>();
        for (Shard split : plan.shards()) {
            samples.addAll(ShardTestData.readAll(split, options, List.of()));
        }

        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            keys.add("shard-7:" + i);
        }
        assertThat(samples).extracting(RawSample::key).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(samples).allSatisfy(s -> {
            int row = Integer.parseInt(s.key().substring("shard-7:".length()));
            assertThat(s.label()).isEqualTo(row % 3);
            assertThat(s.caption()).isNull();
        });
    }
}
