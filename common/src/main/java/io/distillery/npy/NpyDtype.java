package io.distillery.npy;

import java.nio.ByteBuffer;

/** The little-endian numpy dtypes the reader accepts; each converts its values to float. */
enum NpyDtype {
    F4("<f4", 4) {
        @Override
        float next(ByteBuffer b) {
            return b.getFloat();
        }
    },
    F8("<f8", 8) {
        @Override
        float next(ByteBuffer b) {
            return (float) b.getDouble();
        }
    },
    I8("<i8", 8) {
        @Override
        float next(ByteBuffer b) {
            return b.getLong();
        }
    },
    I4("<i4", 4) {
        @Override
        float next(ByteBuffer b) {
            return b.getInt();
        }
    };

    final String descr;
    final int itemSize;

    NpyDtype(String descr, int itemSize) {
        this.descr = descr;
        this.itemSize = itemSize;
    }

    /** Reads one element from a little-endian buffer and converts it to float. */
    abstract float next(ByteBuffer littleEndian);

    /** The dtype for a header's descr, or null when unsupported. */
    static NpyDtype forDescr(String descr) {
        for (NpyDtype t : values()) {
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        return null;
    }
}
