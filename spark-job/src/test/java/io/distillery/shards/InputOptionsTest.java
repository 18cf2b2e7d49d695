package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputOptionsTest {
    @Test
    void defaultsFollowImg2dataset() {
        InputOptions options = InputOptions.of(ShardFormat.PARQUET, "/data");
        assertThat(options.filesPerShard()).isEqualTo(1000);
        assertThat(options.rowGroupsPerSplit()).isEqualTo(4);
        assertThat(options.imageColumn()).isEqualTo("jpg");
        assertThat(options.keyColumn()).isEqualTo("key");
        assertThat(options.captionColumn()).isEqualTo("caption");
        assertThat(options.labelColumn()).isNull();
    }

    @Test
    void blankOptionalColumnsMeanNone() {
        InputOptions options = new InputOptions(ShardFormat.PARQUET, "/data", 1, 1, "jpg", " ", "", "");
        assertThat(options.keyColumn()).isNull();
        assertThat(options.captionColumn()).isNull();
        assertThat(options.labelColumn()).isNull();
    }

    @Test
    void badValuesAreNamedInTheMessage() {
        assertThatThrownBy(() -> new InputOptions(ShardFormat.IMAGE_FOLDER, "/data", 0, 4, "jpg", "key", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input.files-per-shard must be >= 1, got 0");
        assertThatThrownBy(() -> new InputOptions(ShardFormat.PARQUET, "/data", 10, -2, "jpg", "key", null, null))
                .hasMessage("input.row-groups-per-split must be >= 1, got -2");
        assertThatThrownBy(() -> new InputOptions(ShardFormat.PARQUET, "/data", 10, 2, " ", "key", null, null))
                .hasMessageContaining("input.image-column");
        assertThatThrownBy(() -> InputOptions.of(ShardFormat.WEBDATASET, ""))
                .hasMessage("input.path must be set, got ''");
        assertThatThrownBy(() -> InputOptions.of(null, "/data")).hasMessageContaining("input.format");
    }

    @Test
    void imageColumnMattersOnlyForParquet() {
        assertThat(new InputOptions(ShardFormat.WEBDATASET, "/data", 1, 1, null, null, null, null).imageColumn())
                .isNull();
    }
}
