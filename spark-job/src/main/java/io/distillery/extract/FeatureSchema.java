package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/** The Parquet schemas of the feature and rejects files, derived from the dataset metadata. */
public final class FeatureSchema {
    private FeatureSchema() {}

    public static MessageType features(FeatureMetadata metadata) {
        List<Type> fields = new ArrayList<>();
        fields.add(string(FeatureColumns.KEY, true));
        fields.add(string(FeatureColumns.SHARD, true));
        fields.add(Types.required(PrimitiveTypeName.INT32).named(FeatureColumns.VIEW));
        fields.add(Types.optional(PrimitiveTypeName.INT32).named(FeatureColumns.LABEL));
        fields.add(string(FeatureColumns.CAPTION, false));
        fields.add(Types.required(PrimitiveTypeName.INT32).named(FeatureColumns.SRC_WIDTH));
        fields.add(Types.required(PrimitiveTypeName.INT32).named(FeatureColumns.SRC_HEIGHT));
        for (String crop :
                new String[] {FeatureColumns.CROP_X, FeatureColumns.CROP_Y, FeatureColumns.CROP_W, FeatureColumns.CROP_H
                }) {
            fields.add(Types.required(PrimitiveTypeName.DOUBLE).named(crop));
        }
        fields.add(Types.required(PrimitiveTypeName.BOOLEAN).named(FeatureColumns.FLIP));
        for (FeatureMetadata.TensorColumn column : metadata.tensorColumns()) {
            fields.add(Types.required(PrimitiveTypeName.BINARY).named(column.name()));
        }
        if (metadata.captions() != null) {
            for (FeatureMetadata.TensorColumn column : metadata.captions().tensorColumns()) {
                // per sample: set on view 0 only
                fields.add(Types.optional(PrimitiveTypeName.BINARY).named(column.name()));
            }
        }
        return new MessageType("distillery_features", fields);
    }

    /** Text rows: key, shard, label, text, then every packed tensor column (input_ids, attention_mask, target, ...). */
    public static MessageType textFeatures(FeatureMetadata metadata) {
        List<Type> fields = new ArrayList<>();
        fields.add(string(FeatureColumns.KEY, true));
        fields.add(string(FeatureColumns.SHARD, true));
        fields.add(Types.optional(PrimitiveTypeName.INT32).named(FeatureColumns.LABEL));
        fields.add(string(FeatureColumns.TEXT, true));
        for (FeatureMetadata.TensorColumn column : metadata.tensorColumns()) {
            fields.add(Types.required(PrimitiveTypeName.BINARY).named(column.name()));
        }
        return new MessageType("distillery_text_features", fields);
    }

    /** Rejected samples; for text input the {@code image} column names where the text was read. */
    public static MessageType rejects() {
        return new MessageType(
                "distillery_rejects",
                List.of(
                        string(FeatureColumns.KEY, true),
                        string(FeatureColumns.SHARD, true),
                        string("image", true),
                        string("reason", true),
                        string("message", true)));
    }

    private static Type string(String name, boolean required) {
        return (required ? Types.required(PrimitiveTypeName.BINARY) : Types.optional(PrimitiveTypeName.BINARY))
                .as(LogicalTypeAnnotation.stringType())
                .named(name);
    }
}
