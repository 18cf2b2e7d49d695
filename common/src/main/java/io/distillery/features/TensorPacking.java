package io.distillery.features;

import io.distillery.checkpoint.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/** Packs float tensors (and int32 index tensors) into the little-endian bytes stored in feature columns, and back. */
public final class TensorPacking {
    /** The {@code dtype} of an int32 tensor column in the metadata (class indices). */
    public static final String INT32 = "int32";

    private TensorPacking() {}

    /** {@code value} as it reads back after packing as {@code dtype} (round to nearest even; exact for fp32). */
    public static float round(float value, TensorDType dtype) {
        return switch (dtype) {
            case FP32 -> value;
            case FP16 -> HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(value));
            case BF16 -> HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(value));
        };
    }

    /** Packs {@code count} ints from {@code src[offset..]} as little-endian int32. */
    public static byte[] packInts(int[] src, int offset, int count) {
        ByteBuffer out = ByteBuffer.allocate(count * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asIntBuffer().put(src, offset, count);
        return out.array();
    }

    /** Unpacks a little-endian int32 cell. */
    public static int[] unpackInts(byte[] cell) {
        if (cell.length % Integer.BYTES != 0) {
            throw new IllegalArgumentException(
                    "int32 tensor cell has " + cell.length + " bytes, not a multiple of " + Integer.BYTES);
        }
        int[] out = new int[cell.length / Integer.BYTES];
        ByteBuffer.wrap(cell).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    /** Packs {@code count} floats from {@code src[offset..]}. */
    public static byte[] pack(float[] src, int offset, int count, TensorDType dtype) {
        ByteBuffer out = ByteBuffer.allocate(count * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FP32 -> out.asFloatBuffer().put(src, offset, count);
            case FP16 -> {
                ShortBuffer s = out.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    s.put(HalfPrecision.floatToHalf(src[offset + i]));
                }
            }
            case BF16 -> {
                ShortBuffer s = out.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    s.put(HalfPrecision.floatToBf16(src[offset + i]));
                }
            }
            default -> throw new IllegalStateException(dtype.toString());
        }
        return out.array();
    }

    /** Unpacks a cell into {@code dst[offset..]}; the cell must hold exactly {@code count} values. */
    public static void unpack(byte[] cell, TensorDType dtype, float[] dst, int offset, int count) {
        if (cell.length != count * dtype.bytes()) {
            throw new IllegalArgumentException("tensor cell has " + cell.length + " bytes but " + count + " x "
                    + dtype.id() + " needs " + count * dtype.bytes());
        }
        ByteBuffer in = ByteBuffer.wrap(cell).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FP32 -> {
                FloatBuffer f = in.asFloatBuffer();
                f.get(dst, offset, count);
            }
            case FP16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = HalfPrecision.halfToFloat(s.get(i));
                }
            }
            case BF16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = HalfPrecision.bf16ToFloat(s.get(i));
                }
            }
            default -> throw new IllegalStateException(dtype.toString());
        }
    }

    public static float[] unpack(byte[] cell, TensorDType dtype) {
        float[] out = new float[cell.length / dtype.bytes()];
        unpack(cell, dtype, out, 0, out.length);
        return out;
    }
}
