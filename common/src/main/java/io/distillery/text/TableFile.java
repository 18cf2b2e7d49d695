package io.distillery.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.function.BiConsumer;

/**
 * Reads the generated character tables on the classpath ({@code clip-unicode.txt}, {@code html5-entities.txt}):
 * {@code [section]} lines, then lines of hexadecimal code points and ranges, or of {@code key: code points};
 * {@code #} starts a comment. A table that is missing or broken is a build fault, so it fails loudly.
 */
final class TableFile {

    private TableFile() {}

    /** Hands each non-empty line, comment removed and trimmed, to {@code line} with its section's name. */
    static void read(Class<?> owner, String name, BiConsumer<String, String> line) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath (io/distillery/text)");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String section = null;
            String text;
            int number = 0;
            while ((text = reader.readLine()) != null) {
                number++;
                int hash = text.indexOf('#');
                String body = (hash >= 0 ? text.substring(0, hash) : text).trim();
                if (body.isEmpty()) {
                    continue;
                }
                if (body.startsWith("[") && body.endsWith("]")) {
                    section = body.substring(1, body.length() - 1);
                } else if (section == null) {
                    throw new IllegalStateException(name + ":" + number + ": data before the first [section]");
                } else {
                    line.accept(section, body);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Sets the code points and ranges ({@code 41-5a 61}) of a line. */
    static void addRanges(BitSet set, String line) {
        for (String range : line.split(" +")) {
            int dash = range.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash), 16);
            int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1), 16);
            set.set(first, last + 1);
        }
    }

    /** The text before the colon of a {@code key: code points} line. */
    static String key(String line) {
        return line.substring(0, colon(line));
    }

    /** The code points after the colon of a {@code key: code points} line. */
    static int[] codePoints(String line) {
        String values = line.substring(colon(line) + 1).trim();
        if (values.isEmpty()) {
            return new int[0];
        }
        String[] parts = values.split(" +");
        int[] cps = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            cps[i] = Integer.parseInt(parts[i], 16);
        }
        return cps;
    }

    private static int colon(String line) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IllegalStateException("a table line without 'key:': " + line);
        }
        return colon;
    }
}
