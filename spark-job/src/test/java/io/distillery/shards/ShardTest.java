package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardTest {
    @Test
    void survivesJavaSerialization() throws Exception {
        List<String> members = new ArrayList<>(List.of("a/1.jpg", "b/2.jpg"));
        Shard folder = new Shard("folder-0004", "file:/data/imagenet", ShardFormat.IMAGE_FOLDER, 123, 2, 0, 1, members);
        Shard split = Shard.parquet("train-00003.r4-7", "file:/data/train-00003.parquet", 456, 40, 1, 3, 4, 8);
        InputOptions options = InputOptions.of(ShardFormat.PARQUET, "/data");

        assertThat(roundTrip(folder)).isEqualTo(folder);
        assertThat(roundTrip(split)).isEqualTo(split);
        assertThat(roundTrip(options)).isEqualTo(options);
        assertThat(roundTrip(split).firstRowGroup()).isEqualTo(4);
        assertThat(roundTrip(split).endRowGroup()).isEqualTo(8);
    }

    @Test
    void membersAreCopied() {
        List<String> members = new ArrayList<>(List.of("a/1.jpg"));
        Shard shard = new Shard("folder-0000", "file:/d", ShardFormat.IMAGE_FOLDER, 1, 1, 0, 1, members);
        members.add("a/2.jpg");
        assertThat(shard.members()).containsExactly("a/1.jpg");
    }

    @Test
    void idsMustBeFileNameSafe() {
        assertThatThrownBy(() -> new Shard("a/b", "file:/d/a/b.tar", ShardFormat.WEBDATASET, 1, 1, 0, 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> new Shard("x", "file:/x.parquet", ShardFormat.WEBDATASET, 1, 1, 2, 2, List.of()))
                .hasMessageContaining("split 2 of 2");
    }

    @Test
    void rowGroupsAreParquetOnly() {
        Shard tar = new Shard("00017", "file:/d/00017.tar", ShardFormat.WEBDATASET, 1, 1, 0, 1, List.of());
        assertThatThrownBy(tar::firstRowGroup)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("00017");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
