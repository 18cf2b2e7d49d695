package io.distillery.text;

import java.util.Arrays;

/**
 * Text after normalization, one code point at a time, each remembering the range of the original string (in UTF-16
 * units) it came from. A character the normalizer expands (é to e plus U+0301, a CJK ideograph to space, ideograph,
 * space) gives every piece the original character's range, so token offsets always point into the caller's string.
 */
final class NormalizedText {

    private int[] codePoints;
    private int[] starts;
    private int[] ends;
    private int size;

    NormalizedText(int capacity) {
        int n = Math.max(capacity, 4);
        codePoints = new int[n];
        starts = new int[n];
        ends = new int[n];
    }

    /** The code points of {@code text[from, to)} unchanged (a lone surrogate reads as U+FFFD, as in UTF-8). */
    static NormalizedText of(String text, int from, int to) {
        NormalizedText out = new NormalizedText(to - from);
        for (int i = from; i < to; ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            out.add(cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xFFFD : cp, i, i + n);
            i += n;
        }
        return out;
    }

    void add(int cp, int start, int end) {
        if (size == codePoints.length) {
            int n = size * 2;
            codePoints = Arrays.copyOf(codePoints, n);
            starts = Arrays.copyOf(starts, n);
            ends = Arrays.copyOf(ends, n);
        }
        codePoints[size] = cp;
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    int size() {
        return size;
    }

    int codePoint(int i) {
        return codePoints[i];
    }

    /** Where code point {@code i} came from in the original string. */
    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    /** The code points, as a new array. */
    int[] codePoints() {
        return Arrays.copyOf(codePoints, size);
    }

    String substring(int from, int to) {
        return new String(codePoints, from, to - from);
    }
}
