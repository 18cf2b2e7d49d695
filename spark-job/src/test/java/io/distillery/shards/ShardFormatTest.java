package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardFormatTest {
    @Test
    void parsesTheConfigNames() {
        assertThat(ShardFormat.fromConfig("webdataset")).isEqualTo(ShardFormat.WEBDATASET);
        assertThat(ShardFormat.fromConfig("image-folder")).isEqualTo(ShardFormat.IMAGE_FOLDER);
        assertThat(ShardFormat.fromConfig("Parquet")).isEqualTo(ShardFormat.PARQUET);
        assertThat(ShardFormat.IMAGE_FOLDER.id()).isEqualTo("image-folder");
    }

    @Test
    void rejectsOtherNamesListingTheAllowedOnes() {
        assertThatThrownBy(() -> ShardFormat.fromConfig("image_folder"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "input.format must be one of webdataset, image-folder, parquet, text-lines, got 'image_folder'");
        assertThatThrownBy(() -> ShardFormat.fromConfig(null)).hasMessageContaining("got 'null'");
    }
}
