package io.distillery.checkpoint;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Element types of a safetensors file; {@link #name()} is the string used in the header ("F32", "BF16", ...).
 *
 * <p>The declaration order is the order of the official library's {@code Dtype} enum (increasing alignment);
 * {@link SafetensorsWriter} lays tensors out in descending order of it, exactly as the official writer does, so
 * the constants must not be reordered.
 */
public enum DType {
    BOOL(1, false),
    U8(1, false),
    I8(1, false),
    /** 8-bit float, 5 exponent / 2 mantissa bits (the upper byte of an F16); read-only here. */
    F8_E5M2(1, true),
    /** 8-bit float, 4 exponent / 3 mantissa bits, no infinities (OCP "E4M3FN"); read-only here. */
    F8_E4M3(1, true),
    I16(2, false),
    U16(2, false),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    U32(4, false),
    F32(4, true),
    F64(8, true),
    I64(8, false),
    U64(8, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The header string of this type, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /** The type named {@code name} in a header (case-sensitive, like the official library), if known. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** All header strings, for error messages. */
    static String supportedNames() {
        return Arrays.stream(values()).map(DType::name).collect(Collectors.joining(", "));
    }
}
