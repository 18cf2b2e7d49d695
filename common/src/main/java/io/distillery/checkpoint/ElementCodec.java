package io.distillery.checkpoint;

import java.nio.ByteBuffer;

/**
 * Converts little-endian elements of any {@link DType} to float or double (correctly rounded, so no value is
 * rounded twice) and float values to the float dtypes a writer may store.
 */
final class ElementCodec {

    private ElementCodec() {}

    /** Decodes {@code count} elements from {@code src} (little-endian) into {@code dst[offset..]}. */
    static void decodeFloats(DType t, ByteBuffer src, float[] dst, int offset, int count) {
        if (t == DType.F32) {
            src.asFloatBuffer().get(dst, offset, count);
            src.position(src.position() + count * Float.BYTES);
            return;
        }
        for (int i = 0; i < count; i++) {
            dst[offset + i] = decodeFloat(t, src);
        }
    }

    static void decodeDoubles(DType t, ByteBuffer src, double[] dst, int offset, int count) {
        if (t == DType.F64) {
            src.asDoubleBuffer().get(dst, offset, count);
            src.position(src.position() + count * Double.BYTES);
            return;
        }
        for (int i = 0; i < count; i++) {
            dst[offset + i] = decodeDouble(t, src);
        }
    }

    private static float decodeFloat(DType t, ByteBuffer b) {
        switch (t) {
            case F64:
                return (float) b.getDouble();
            case I64:
                return b.getLong();
            case U64:
                return unsignedLongToFloat(b.getLong());
            default:
                // Every other type is exactly representable as a double, so one rounding to float is correct.
                return (float) decodeDouble(t, b);
        }
    }

    private static double decodeDouble(DType t, ByteBuffer b) {
        switch (t) {
            case BOOL:
                return b.get() != 0 ? 1 : 0;
            case U8:
                return b.get() & 0xFF;
            case I8:
                return b.get();
            case F8_E5M2:
                return HalfPrecision.f8e5m2ToFloat(b.get());
            case F8_E4M3:
                return HalfPrecision.f8e4m3ToFloat(b.get());
            case I16:
                return b.getShort();
            case U16:
                return b.getShort() & 0xFFFF;
            case F16:
                return HalfPrecision.halfToFloat(b.getShort());
            case BF16:
                return HalfPrecision.bf16ToFloat(b.getShort());
            case I32:
                return b.getInt();
            case U32:
                return b.getInt() & 0xFFFF_FFFFL;
            case F32:
                return b.getFloat();
            case F64:
                return b.getDouble();
            case I64:
                return b.getLong();
            case U64:
                return unsignedLongToDouble(b.getLong());
            default:
                throw new IllegalStateException("unhandled dtype " + t);
        }
    }

    // Halving with a sticky low bit keeps the rounding of values >= 2^63 correct (no unsigned conversion in Java).
    private static float unsignedLongToFloat(long v) {
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }

    private static double unsignedLongToDouble(long v) {
        return v >= 0 ? (double) v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** Types {@link #encodeFloats} can store. */
    static boolean isFloatStorable(DType t) {
        return t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64;
    }

    /** Writes {@code src} as little-endian elements of float type {@code t} into {@code dst}. */
    static void encodeFloats(DType t, float[] src, ByteBuffer dst) {
        switch (t) {
            case F32:
                dst.asFloatBuffer().put(src);
                dst.position(dst.position() + src.length * Float.BYTES);
                break;
            case F64:
                for (float v : src) {
                    dst.putDouble(v);
                }
                break;
            case F16:
                for (float v : src) {
                    dst.putShort(HalfPrecision.floatToHalf(v));
                }
                break;
            case BF16:
                for (float v : src) {
                    dst.putShort(HalfPrecision.floatToBf16(v));
                }
                break;
            default:
                throw new IllegalArgumentException("cannot store floats as " + t + " (use F32, F16, BF16 or F64)");
        }
    }
}
