package io.distillery.features;

import io.distillery.checkpoint.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/** Packs float tensors into the little-endian bytes stored in feature columns, and back. */
public final class TensorPacking {
    private TensorPacking() {}

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
