package io.distillery.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorPackingTest {
    private static final float[] VALUES = {0f, 1f, -2.5f, 65504f, 1e-3f, 3.14159f, -0f, 1e-8f};

    @Test
    void fp32IsExactLittleEndian() {
        byte[] cell = TensorPacking.pack(VALUES, 0, VALUES.length, TensorDType.FP32);
        assertThat(cell).hasSize(32);
        assertThat(ByteBuffer.wrap(cell).order(ByteOrder.LITTLE_ENDIAN).getFloat(4))
                .isEqualTo(1f);
        assertThat(TensorPacking.unpack(cell, TensorDType.FP32)).containsExactly(VALUES);
    }

    @Test
    void fp16AndBf16RoundTripWithinTheirPrecision() {
        float[] half =
                TensorPacking.unpack(TensorPacking.pack(VALUES, 0, VALUES.length, TensorDType.FP16), TensorDType.FP16);
        float[] bf =
                TensorPacking.unpack(TensorPacking.pack(VALUES, 0, VALUES.length, TensorDType.BF16), TensorDType.BF16);
        for (int i = 0; i < VALUES.length; i++) {
            assertThat(half[i])
                    .as("fp16 %s", VALUES[i])
                    .isCloseTo(VALUES[i], org.assertj.core.data.Offset.offset(Math.abs(VALUES[i]) / 1024 + 6e-8f));
            assertThat(bf[i])
                    .as("bf16 %s", VALUES[i])
                    .isCloseTo(VALUES[i], org.assertj.core.data.Offset.offset(Math.abs(VALUES[i]) / 128 + 1e-38f));
        }
        // 1.0 in fp16 is 0x3C00, little-endian
        byte[] one = TensorPacking.pack(new float[] {1f}, 0, 1, TensorDType.FP16);
        assertThat(one).containsExactly((byte) 0x00, (byte) 0x3C);
    }

    @Test
    void packsASliceAndChecksCellLength() {
        byte[] cell = TensorPacking.pack(VALUES, 2, 3, TensorDType.FP32);
        assertThat(TensorPacking.unpack(cell, TensorDType.FP32)).containsExactly(-2.5f, 65504f, 1e-3f);
        assertThatThrownBy(() -> TensorPacking.unpack(cell, TensorDType.FP32, new float[4], 0, 4))
                .hasMessage("tensor cell has 12 bytes but 4 x fp32 needs 16");
    }

    @Test
    void int32IsLittleEndianAndRoundingMatchesPacking() {
        byte[] cell = TensorPacking.packInts(new int[] {9, 258, -1, 7}, 1, 2);
        assertThat(cell).containsExactly(2, 1, 0, 0, -1, -1, -1, -1);
        assertThat(TensorPacking.unpackInts(cell)).containsExactly(258, -1);
        assertThatThrownBy(() -> TensorPacking.unpackInts(new byte[6]))
                .hasMessage("int32 tensor cell has 6 bytes, not a multiple of 4");
        for (TensorDType dtype : TensorDType.values()) {
            for (float v : VALUES) {
                assertThat(TensorPacking.round(v, dtype))
                        .as("%s %s", dtype, v)
                        .isEqualTo(TensorPacking.unpack(TensorPacking.pack(new float[] {v}, 0, 1, dtype), dtype)[0]);
            }
        }
    }
}
