package io.distillery.checkpoint;

/**
 * Bit-exact conversions between float32 and the 16-bit (F16, BF16) and 8-bit (F8) float formats.
 *
 * <p>Java 17 has no {@code Float.float16ToFloat}/{@code floatToFloat16} (they arrived in Java 20), so these are
 * written out here. Narrowing rounds to nearest, ties to even, like PyTorch and numpy; NaN stays NaN (quiet, sign
 * and upper payload bits kept) and values beyond the target range become infinities.
 */
public final class HalfPrecision {

    private HalfPrecision() {}

    /** IEEE binary16 bits to float32 (exact: every half value is a float). */
    public static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            // Zero or subnormal: mant * 2^-24, exact in float.
            float magnitude = mant * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exp + (127 - 15)) << 23) | (mant << 13));
    }

    /** float32 to IEEE binary16 bits, rounding to nearest even. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7F_FFFF;
        if (exp == 0xFF) {
            // Infinity, or NaN forced quiet so that dropping low payload bits cannot turn it into infinity.
            return (short) (mant == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mant >>> 13));
        }
        int halfExp = exp - 127 + 15;
        if (halfExp >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExp >= 1) {
            int half = (halfExp << 10) | (mant >>> 13);
            // A carry out of the mantissa correctly bumps the exponent (up to infinity).
            return (short) (sign | roundShifted(half, mant & 0x1FFF, 13));
        }
        // Result is subnormal or zero: the significand with its hidden bit, in units of 2^-24.
        int shift = 126 - exp; // >= 14 here
        if (shift > 24) {
            return (short) sign; // below half the smallest subnormal (float subnormals land here too)
        }
        int significand = mant | 0x80_0000;
        int half = significand >>> shift;
        return (short) (sign | roundShifted(half, significand & ((1 << shift) - 1), shift));
    }

    /** BF16 bits to float32 (exact: BF16 is the upper half of a float32). */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    /** float32 to BF16 bits, rounding to nearest even. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x0040); // NaN: keep it quiet, as rounding could reach infinity
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** F8_E5M2 bits to float32: the format is the upper byte of an F16. */
    public static float f8e5m2ToFloat(byte f8) {
        return halfToFloat((short) ((f8 & 0xFF) << 8));
    }

    /** F8_E4M3 ("FN": bias 7, no infinities, only S.1111.111 is NaN) bits to float32. */
    public static float f8e4m3ToFloat(byte f8) {
        int b = f8 & 0xFF;
        int exp = (b >>> 3) & 0xF;
        int mant = b & 0x7;
        float magnitude;
        if (exp == 0xF && mant == 0x7) {
            magnitude = Float.NaN;
        } else if (exp == 0) {
            magnitude = mant * 0x1p-9f;
        } else {
            magnitude = Math.scalb(1f + mant / 8f, exp - 7);
        }
        return (b & 0x80) == 0 ? magnitude : -magnitude;
    }

    /** Rounds {@code truncated} (which dropped {@code dropped} low bits worth {@code remainder}) to nearest even. */
    private static int roundShifted(int truncated, int remainder, int dropped) {
        int halfway = 1 << (dropped - 1);
        if (remainder > halfway || (remainder == halfway && (truncated & 1) != 0)) {
            return truncated + 1;
        }
        return truncated;
    }
}
