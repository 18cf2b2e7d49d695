package io.distillery.features;

import java.util.Locale;

/**
 * How a tensor is packed into a Parquet BINARY cell: little-endian, C order. Spark 3.5's Parquet (1.13) has no
 * FLOAT16 logical type, so half precision travels as packed bytes described in the dataset metadata.
 */
public enum TensorDType {
    FP16(2),
    BF16(2),
    FP32(4);

    private final int bytes;

    TensorDType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TensorDType fromId(String id) {
        for (TensorDType t : values()) {
            if (t.id().equals(id.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tensor dtype '" + id + "' (expected fp16, bf16 or fp32)");
    }
}
