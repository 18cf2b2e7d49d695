package io.distillery.features;

import java.io.IOException;
import java.io.InputStream;

/**
 * Content of {@code _distillery/dataset.json}: the dataset's metadata plus whether it is complete. A dataset is
 * complete only when every shard is committed and the reject fraction was within bounds; until then readers must
 * treat it as partial.
 */
public record DatasetStatus(
        String status,
        FeatureMetadata metadata,
        long shards,
        long images,
        long rows,
        long rejects,
        long dataBytes,
        String updated) {
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETE = "complete";

    public boolean complete() {
        return COMPLETE.equals(status);
    }

    /** Parses a {@code dataset.json} after the metadata's format and version check; {@code source} names the file. */
    public static DatasetStatus read(InputStream in, String source) throws IOException {
        var node = FeatureMetadataJson.mapper().readTree(in);
        FeatureMetadataJson.fromJson(node.path("metadata").toString(), source);
        return FeatureMetadataJson.mapper().treeToValue(node, DatasetStatus.class);
    }
}
