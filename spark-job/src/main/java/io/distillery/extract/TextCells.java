package io.distillery.extract;

import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;

/**
 * Packs one text's slice of a text teacher batch ({@link TextTeacherRunner}) into a Parquet cell: int columns as
 * int32 or, for the attention mask, uint8; float columns in the dataset's dtype after the non-finite check. Shared by
 * text rows and the caption columns of image rows.
 */
final class TextCells {
    private TextCells() {}

    /**
     * @param column  the dataset column (its dtype decides the packing)
     * @param tensor  the runner's name of the same tensor ({@code input_ids}, {@code target}, ...)
     * @param index   the text's position in the batch of {@code count}
     * @param row     names the row in a non-finite error, e.g. {@code key 'a:3'}
     */
    static byte[] cell(
            FeatureMetadata.TensorColumn column,
            BatchTensors tensors,
            String tensor,
            int index,
            int count,
            String shardId,
            String row,
            TensorDType dtype) {
        int[] ints = tensors.ints().get(tensor);
        if (ints != null) {
            int length = ints.length / count;
            return column.dtype().equals(TensorPacking.INT32)
                    ? TensorPacking.packInts(ints, index * length, length)
                    : bytes(ints, index * length, length);
        }
        float[] flat = tensors.floats().get(tensor);
        int length = flat.length / count;
        OutputGuard.check(shardId, row, column.name(), flat, index * length, length, dtype);
        return TensorPacking.pack(flat, index * length, length, dtype);
    }

    /** uint8 cells (the attention mask: 0 or 1). */
    private static byte[] bytes(int[] src, int offset, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = (byte) src[offset + i];
        }
        return out;
    }
}
