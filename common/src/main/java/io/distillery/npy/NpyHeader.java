package io.distillery.npy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parsed {@code .npy} header dict, and numpy's exact formatting of it for writing. */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the start of the data to this many bytes. */
    static final int ARRAY_ALIGN = 64;
    /** numpy leaves room for the leading axis to grow to this many digits (numpy >= 1.23). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Magic, two version bytes and the little-endian uint16 header length of version 1.0. */
    private static final int PREFIX_LENGTH_V1 = MAGIC.length + 2 + 2;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Parses the dict text; returns null when a key is missing or malformed (the caller names the file). */
    static NpyHeader parse(String dict) {
        Matcher descr = DESCR.matcher(dict);
        Matcher fortran = FORTRAN.matcher(dict);
        Matcher shape = SHAPE.matcher(dict);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            return null;
        }
        String[] parts = shape.group(1).split(",");
        long[] dims = Arrays.stream(parts)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToLong(s -> parseDim(s))
                .toArray();
        if (Arrays.stream(dims).anyMatch(d -> d < 0)) {
            return null;
        }
        return new NpyHeader(descr.group(1), fortran.group(1).equals("True"), dims);
    }

    private static long parseDim(String s) {
        try {
            return Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The complete version-1.0 header (magic to final newline), byte for byte what numpy writes. */
    byte[] toBytesV1() {
        StringBuilder dict = new StringBuilder()
                .append("{'descr': '")
                .append(descr)
                .append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False")
                .append(", 'shape': ")
                .append(pythonTuple(shape))
                .append(", }");
        if (shape.length > 0) {
            long growthAxis = shape[fortranOrder ? shape.length - 1 : 0];
            dict.append(" "
                    .repeat(Math.max(
                            0,
                            GROWTH_AXIS_MAX_DIGITS - Long.toString(growthAxis).length())));
        }
        int textLength = dict.length() + 1; // + the final newline
        int padding = ARRAY_ALIGN - (PREFIX_LENGTH_V1 + textLength) % ARRAY_ALIGN;
        int headerLength = textLength + padding;
        if (headerLength > 0xFFFF) {
            throw new IllegalArgumentException("npy header too long for format 1.0: " + headerLength + " bytes");
        }
        dict.append(" ".repeat(padding)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[PREFIX_LENGTH_V1 + text.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) headerLength;
        out[9] = (byte) (headerLength >>> 8);
        System.arraycopy(text, 0, out, PREFIX_LENGTH_V1, text.length);
        return out;
    }

    /** Python's repr of a tuple of ints: {@code ()}, {@code (6,)}, {@code (6, 17, 64)}. */
    private static String pythonTuple(long[] dims) {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return s.append(')').toString();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "descr=%s fortran_order=%s shape=%s", descr, fortranOrder, Arrays.toString(shape));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h
                && descr.equals(h.descr)
                && fortranOrder == h.fortranOrder
                && Arrays.equals(shape, h.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * descr.hashCode() + Boolean.hashCode(fortranOrder)) + Arrays.hashCode(shape);
    }
}
