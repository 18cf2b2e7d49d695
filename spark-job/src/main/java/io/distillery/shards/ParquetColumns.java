package io.distillery.shards;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The columns a Parquet shard is read through, checked against one file's schema, and how to get their values.
 * Only these columns are read ({@link #projection()}): img2dataset files carry many more.
 *
 * @param key     null when the key column is not configured or not in the file
 * @param caption null when the caption column is not configured or not in the file
 * @param image   null for text input
 * @param label   null when no label column is configured
 * @param text    the text column of text input; null for image input
 */
record ParquetColumns(
        String file, MessageType projection, String image, String key, String caption, String label, String text) {
    private static final PrimitiveTypeName[] INTEGERS = {PrimitiveTypeName.INT32, PrimitiveTypeName.INT64};

    /**
     * Checks the configured columns against {@code schema}; a missing image (text input: text) or label column is a
     * config error.
     */
    static ParquetColumns resolve(MessageType schema, InputOptions options, String file) {
        List<Type> used = new ArrayList<>();
        boolean text = options.modality() == Modality.TEXT;
        String image = text
                ? null
                : column(
                        schema,
                        file,
                        "input.image-column",
                        options.imageColumn(),
                        true,
                        used,
                        PrimitiveTypeName.BINARY);
        String textColumn = text
                ? column(schema, file, "input.text-column", options.textColumn(), true, used, PrimitiveTypeName.BINARY)
                : null;
        String key = column(
                schema,
                file,
                "input.key-column",
                options.keyColumn(),
                false,
                used,
                PrimitiveTypeName.BINARY,
                PrimitiveTypeName.INT32,
                PrimitiveTypeName.INT64);
        String caption = text
                ? null
                : column(
                        schema,
                        file,
                        "input.caption-column",
                        options.captionColumn(),
                        false,
                        used,
                        PrimitiveTypeName.BINARY);
        String label = column(schema, file, "input.label-column", options.labelColumn(), true, used, INTEGERS);
        return new ParquetColumns(
                file, new MessageType(schema.getName(), used), image, key, caption, label, textColumn);
    }

    /** The column's name if configured and present with an allowed type, else null (or an error if required). */
    private static String column(
            MessageType schema,
            String file,
            String setting,
            String name,
            boolean required,
            List<Type> used,
            PrimitiveTypeName... allowed) {
        if (name == null) {
            return null;
        }
        if (!schema.containsField(name)) {
            if (required) {
                throw new IllegalArgumentException(
                        setting + " '" + name + "' is not a column of " + file + "; columns: "
                                + schema.getFields().stream().map(Type::getName).toList());
            }
            return null;
        }
        Type type = schema.getType(name);
        if (!type.isPrimitive()
                || type.isRepetition(Type.Repetition.REPEATED)
                || !Arrays.asList(allowed).contains(type.asPrimitiveType().getPrimitiveTypeName())) {
            throw new IllegalArgumentException(setting + " '" + name + "' in " + file + " is " + type
                    + "; it must be a single " + Arrays.toString(allowed) + " value");
        }
        if (used.stream().noneMatch(t -> t.getName().equals(name))) {
            used.add(type);
        }
        return name;
    }

    /** The image bytes, or null. */
    byte[] image(Group row) {
        return isSet(row, image) ? row.getBinary(image, 0).getBytes() : null;
    }

    /** The key, or null (no key column, or a null key). */
    String key(Group row) {
        if (!isSet(row, key)) {
            return null;
        }
        return switch (primitive(key)) {
            case INT32 -> Integer.toString(row.getInteger(key, 0));
            case INT64 -> Long.toString(row.getLong(key, 0));
            default -> row.getString(key, 0);
        };
    }

    String caption(Group row) {
        return isSet(row, caption) ? row.getString(caption, 0) : null;
    }

    /** The text of text input, or null (a null cell). */
    String text(Group row) {
        return isSet(row, text) ? row.getString(text, 0) : null;
    }

    /** The label, or null; INT64 labels beyond the int range are corrupt data. */
    Integer label(Group row, long rowIndex) {
        if (!isSet(row, label)) {
            return null;
        }
        if (primitive(label) == PrimitiveTypeName.INT32) {
            return row.getInteger(label, 0);
        }
        long value = row.getLong(label, 0);
        if (value != (int) value) {
            throw new ShardCorruptException(file + ": row " + rowIndex + " has label " + value + " in column '" + label
                    + "', beyond the int range");
        }
        return (int) value;
    }

    private PrimitiveTypeName primitive(String column) {
        return projection.getType(column).asPrimitiveType().getPrimitiveTypeName();
    }

    private static boolean isSet(Group row, String column) {
        return column != null && row.getFieldRepetitionCount(column) > 0;
    }
}
