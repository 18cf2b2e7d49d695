package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryFileWithItsClassIndex() throws IOException {
        ShardTestData.imageFile(dir, "n02/b.JPEG", 30, 1);
        ShardTestData.imageFile(dir, "n02/a.png", 40, 2);
        ShardTestData.imageFile(dir, "n01/z.jpg", 50, 3);
        ShardTestData.imageFile(dir, "n03/sub/c.webp", 60, 4);
        ShardTestData.imageFile(dir, "n03/c.jpeg", 70, 5);
        InputOptions options =
                new InputOptions(ShardFormat.IMAGE_FOLDER, dir.toUri().toString(), 2, 4, "jpg", "key", "caption", null);
        ShardPlan plan = ShardLister.list(options, new Configuration());

        List<RawSample> samples = new ArrayList<>();
        for (Shard shard : plan.shards()) {
            samples.addAll(ShardTestData.readAll(shard, options, plan.classNames()));
        }

        assertThat(plan.shards()).hasSize(3);
        assertThat(samples).extracting(RawSample::key).containsExactly("n01/z", "n02/a", "n02/b", "n03/c", "n03/sub/c");
        assertThat(samples).extracting(RawSample::label).containsExactly(0, 1, 1, 2, 2);
        assertThat(samples)
                .extracting(RawSample::imageName)
                .containsExactly("n01/z.jpg", "n02/a.png", "n02/b.JPEG", "n03/c.jpeg", "n03/sub/c.webp");
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.image()).isEqualTo(Files.readAllBytes(dir.resolve(s.imageName())));
            assertThat(s.caption()).isNull();
        });
    }

    @Test
    void classNamesMustComeFromThePlan() throws IOException {
        ShardTestData.imageFile(dir, "n01/z.jpg", 50, 3);
        InputOptions options = InputOptions.of(ShardFormat.IMAGE_FOLDER, dir.toString());
        Shard shard = ShardLister.list(options, new Configuration()).shards().get(0);

        assertThatThrownBy(() -> ShardTestData.readAll(shard, options, List.of("n02")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'n01'");
    }
}
