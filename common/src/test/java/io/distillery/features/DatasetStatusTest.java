package io.distillery.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DatasetStatusTest {
    private static ByteArrayInputStream json(DatasetStatus status) throws Exception {
        return new ByteArrayInputStream(FeatureMetadataJson.mapper().writeValueAsBytes(status));
    }

    @Test
    void roundTripsAndSaysWhetherComplete() throws Exception {
        DatasetStatus partial = new DatasetStatus(
                DatasetStatus.IN_PROGRESS, FeatureMetadataJsonTest.sample(), 3, 10, 30, 1, 4096, "now");
        DatasetStatus read = DatasetStatus.read(json(partial), "ds/_distillery/dataset.json");
        assertThat(read).isEqualTo(partial);
        assertThat(read.complete()).isFalse();
        assertThat(new DatasetStatus(DatasetStatus.COMPLETE, partial.metadata(), 3, 10, 30, 1, 4096, "now").complete())
                .isTrue();
    }

    @Test
    void aNewerMetadataVersionIsRefusedNamingTheFile() throws Exception {
        DatasetStatus status =
                new DatasetStatus(DatasetStatus.COMPLETE, FeatureMetadataJsonTest.sample(), 1, 1, 1, 0, 1, "now");
        String newer = FeatureMetadataJson.mapper()
                .writeValueAsString(status)
                .replace("\"format_version\" : 1", "\"format_version\" : 3");
        assertThatThrownBy(() -> DatasetStatus.read(
                        new ByteArrayInputStream(newer.getBytes(StandardCharsets.UTF_8)),
                        "ds/_distillery/dataset.json"))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessageStartingWith("ds/_distillery/dataset.json: found feature format version 3");
    }
}
