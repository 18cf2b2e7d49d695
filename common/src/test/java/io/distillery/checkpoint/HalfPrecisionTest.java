package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

    @Test
    void everyHalfSurvivesTheRoundTripThroughFloat() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float f = HalfPrecision.halfToFloat((short) bits);
            short back = HalfPrecision.floatToHalf(f);
            if ((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0) {
                assertThat(f).as("NaN %04x", bits).isNaN();
                assertThat(HalfPrecision.halfToFloat(back)).isNaN();
            } else {
                assertThat(back & 0xFFFF).as("half %04x -> %s", bits, f).isEqualTo(bits);
            }
        }
    }

    @Test
    void halfDecodesKnownValues() {
        assertThat(HalfPrecision.halfToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(HalfPrecision.halfToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(HalfPrecision.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfPrecision.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfPrecision.halfToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(HalfPrecision.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(HalfPrecision.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfPrecision.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(HalfPrecision.halfToFloat((short) 0x8000)))
                .isEqualTo(0x8000_0000);
        assertThat(HalfPrecision.halfToFloat((short) 0x7E00)).isNaN();
    }

    @Test
    void halfEncodingRoundsToNearestEvenAtTheEdges() {
        assertThat(half(1f)).isEqualTo(0x3C00);
        assertThat(half(65504f)).isEqualTo(0x7BFF);
        assertThat(half(65519.996f)).isEqualTo(0x7BFF); // just below the midpoint to 2^16
        assertThat(half(65520f)).isEqualTo(0x7C00); // the midpoint rounds to even: infinity
        assertThat(half(1e10f)).isEqualTo(0x7C00);
        assertThat(half(-1e10f)).isEqualTo(0xFC00);
        assertThat(half(0x1p-24f)).isEqualTo(0x0001); // smallest subnormal
        assertThat(half(0x1p-25f)).isEqualTo(0x0000); // tie between 0 and 1 ulp: even is 0
        assertThat(half(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
        assertThat(half(3 * 0x1p-25f)).isEqualTo(0x0002); // 1.5 ulp ties to 2
        assertThat(half(0x1p-14f - 0x1p-26f)).isEqualTo(0x0400); // rounds up out of the subnormals
        assertThat(half(1f + 0x1p-11f)).isEqualTo(0x3C00); // tie, even stays
        assertThat(half(1f + 3 * 0x1p-11f)).isEqualTo(0x3C02); // tie, odd rounds up
        assertThat(half(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(half(-0f)).isEqualTo(0x8000);
        assertThat(half(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(Float.NaN)))
                .isNaN();
        // A NaN whose payload sits only in the low bits must not turn into infinity.
        assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(Float.intBitsToFloat(0x7F80_0001))))
                .isNaN();
    }

    @Test
    void halfEncodingIsTheNearestHalfForSampledFloats() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt() & 0x7FFF_FFFF);
            if (Float.isNaN(f) || f >= 65520f) {
                continue;
            }
            int h = half(f);
            assertNearestEven(
                    f,
                    h,
                    HalfPrecision.halfToFloat((short) h),
                    h == 0 ? Double.NaN : HalfPrecision.halfToFloat((short) (h - 1)),
                    h >= 0x7BFF ? Double.NaN : HalfPrecision.halfToFloat((short) (h + 1)));
        }
    }

    @Test
    void bf16IsTheUpperHalfOfAFloatRoundedToNearestEven() {
        assertThat(HalfPrecision.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(HalfPrecision.bf16ToFloat((short) 0xC0A0)).isEqualTo(-5f);
        assertThat(bf16(1f)).isEqualTo(0x3F80);
        assertThat(bf16(1f + 0x1p-8f)).isEqualTo(0x3F80); // tie, even stays
        assertThat(bf16(1f + 3 * 0x1p-8f)).isEqualTo(0x3F82); // tie, odd rounds up
        assertThat(bf16(Math.nextUp(1f + 0x1p-8f))).isEqualTo(0x3F81);
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80); // beyond the largest BF16 midpoint
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
        assertThat(bf16(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.NaN)))
                .isNaN();
        assertThat(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.intBitsToFloat(0x7FFF_FFFF))))
                .isNaN();

        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 2_000_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt(0x7F80_0000)); // finite, non-negative
            int b = bf16(f);
            if (b == 0x7F80) { // overflow is right only from the midpoint between the largest BF16 and 2^128 up
                double midpoint = (HalfPrecision.bf16ToFloat((short) 0x7F7F) + 0x1p128) / 2;
                assertThat((double) f).isGreaterThanOrEqualTo(midpoint);
                continue;
            }
            assertNearestEven(
                    f,
                    b,
                    HalfPrecision.bf16ToFloat((short) b),
                    b == 0 ? Double.NaN : HalfPrecision.bf16ToFloat((short) (b - 1)),
                    HalfPrecision.bf16ToFloat((short) (b + 1)));
        }
    }

    @Test
    void f8FormatsDecode() {
        assertThat(HalfPrecision.f8e5m2ToFloat((byte) 0x3C)).isEqualTo(1f);
        assertThat(HalfPrecision.f8e5m2ToFloat((byte) 0x7B)).isEqualTo(57344f);
        assertThat(HalfPrecision.f8e5m2ToFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0x38)).isEqualTo(1f);
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0xB8)).isEqualTo(-1f);
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0x7E)).isEqualTo(448f);
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0x7F)).isNaN();
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(HalfPrecision.f8e4m3ToFloat((byte) 0x08)).isEqualTo(0x1p-6f);
    }

    private static int half(float f) {
        return HalfPrecision.floatToHalf(f) & 0xFFFF;
    }

    private static int bf16(float f) {
        return HalfPrecision.floatToBf16(f) & 0xFFFF;
    }

    /** {@code chosen} (bits {@code bits}) is at least as close to f as both neighbours, and even on a tie. */
    private static void assertNearestEven(float f, int bits, double chosen, double below, double above) {
        double d = Math.abs(chosen - f);
        for (double neighbour : new double[] {below, above}) {
            if (Double.isNaN(neighbour)) {
                continue;
            }
            double n = Math.abs(neighbour - f);
            assertThat(d).as("%s -> %04x", f, bits).isLessThanOrEqualTo(n);
            if (d == n) {
                assertThat(bits & 1).as("tie %s -> %04x must be even", f, bits).isZero();
            }
        }
    }
}
