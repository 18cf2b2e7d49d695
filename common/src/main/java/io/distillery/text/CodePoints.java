package io.distillery.text;

import java.util.Arrays;

/** A growable array of code points: CLIP's cleaning works on code points, as Python's strings are. */
final class CodePoints {

    private int[] data;
    private int size;

    CodePoints(int capacity) {
        data = new int[Math.max(capacity, 8)];
    }

    void add(int cp) {
        if (size == data.length) {
            data = Arrays.copyOf(data, size * 2);
        }
        data[size++] = cp;
    }

    void add(int[] cps) {
        if (size + cps.length > data.length) {
            data = Arrays.copyOf(data, Math.max(size * 2, size + cps.length));
        }
        System.arraycopy(cps, 0, data, size, cps.length);
        size += cps.length;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
