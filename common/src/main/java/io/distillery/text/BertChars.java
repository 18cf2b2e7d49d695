package io.distillery.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Character classes of the BERT normalizer and pre-tokenizer, exactly as the Hugging Face tokenizers library (Rust)
 * has them. That library takes the general categories from an old table (Unicode 8.0: Adlam punctuation is not
 * punctuation, the Egyptian format controls are not controls), so {@link Character#getType} of any JDK disagrees
 * on a few hundred code points; those three tables come from the library itself, in
 * {@code bert-unicode-categories.txt} (written by the golden generator). Lowercasing and NFD use the JDK, patched
 * where Java 17's Unicode 13 lags the library's newer data. {@code WordPieceUnicodeTest} checks every code point.
 */
final class BertChars {

    private static final String TABLE = "bert-unicode-categories.txt";
    private static final int CODE_POINTS = Character.MAX_CODE_POINT + 1;

    private static final BitSet CONTROL = new BitSet(CODE_POINTS);
    private static final BitSet PUNCTUATION = new BitSet(CODE_POINTS);
    private static final BitSet NONSPACING_MARK = new BitSet(CODE_POINTS);

    /**
     * Lowercase mappings of Unicode 14-16 (Rust's standard library has them, Java 17 does not): rows of first, last,
     * step and offset, or first, first, 1 and the target minus first for single code points.
     */
    private static final int[][] NEWER_LOWERCASE = {
        {0x1C89, 0x1C89, 1, 1},
        {0x2C2F, 0x2C2F, 1, 0x30},
        {0xA7C0, 0xA7C0, 1, 1},
        {0xA7CB, 0xA7CB, 1, 0x264 - 0xA7CB},
        {0xA7CC, 0xA7DA, 2, 1},
        {0xA7DC, 0xA7DC, 1, 0x19B - 0xA7DC},
        {0x10570, 0x1057A, 1, 0x27},
        {0x1057C, 0x1058A, 1, 0x27},
        {0x1058C, 0x10592, 1, 0x27},
        {0x10594, 0x10595, 1, 0x27},
        {0x10D50, 0x10D65, 1, 0x20},
        {0x16EA0, 0x16EB8, 1, 0x1B},
    };

    private static final Map<Integer, Integer> LOWERCASE_PATCH = new HashMap<>();

    static {
        load();
        for (int[] row : NEWER_LOWERCASE) {
            for (int cp = row[0]; cp <= row[1]; cp += row[2]) {
                LOWERCASE_PATCH.put(cp, cp + row[3]);
            }
        }
    }

    private BertChars() {}

    /** Removed by clean_text: controls (except tab, newline, carriage return), format, private use, NUL, U+FFFD. */
    static boolean isControl(int cp) {
        return CONTROL.get(cp);
    }

    /** Rust's {@code char::is_whitespace} (the White_Space property); BERT also counts tab, LF and CR. */
    static boolean isWhitespace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    /** ASCII punctuation and symbols ({@code !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~}) and the P* categories. */
    static boolean isPunctuation(int cp) {
        return PUNCTUATION.get(cp);
    }

    /**
     * CJK ideographs that handle_chinese_chars isolates. The library's ranges: note {@code 0x2B920}, where
     * transformers' Python BasicTokenizer starts that extension block at {@code 0x2B820}.
     */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Removed after NFD by strip_accents. */
    static boolean isNonspacingMark(int cp) {
        return NONSPACING_MARK.get(cp);
    }

    /**
     * The canonical decomposition of one code point, as code points. U+11938 (Dives Akuru, Unicode 13) is left
     * alone: the library's normalization data predates it.
     */
    static int[] nfd(int cp) {
        if (cp < 0xC0 || cp == 0x11938) {
            return new int[] {cp};
        }
        return Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD)
                .codePoints()
                .toArray();
    }

    /**
     * Rust's {@code char::to_lowercase}: context-free (a final capital sigma becomes σ, never ς, unlike
     * {@link String#toLowerCase}), and U+0130 becomes "i" plus U+0307.
     */
    static int[] lowercase(int cp) {
        if (cp < 0x80) {
            return new int[] {cp >= 'A' && cp <= 'Z' ? cp + 32 : cp};
        }
        if (cp == 0x130) {
            return new int[] {'i', 0x307};
        }
        Integer patched = LOWERCASE_PATCH.get(cp);
        return new int[] {patched != null ? patched : Character.toLowerCase(cp)};
    }

    private static void load() {
        try (InputStream in = BertChars.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException(TABLE + " is missing from the classpath (io/distillery/text)");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            BitSet section = null;
            String line;
            while ((line = reader.readLine()) != null) {
                int hash = line.indexOf('#');
                String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (body.isEmpty()) {
                    continue;
                }
                if (body.startsWith("[")) {
                    section = section(body);
                    continue;
                }
                if (section == null) {
                    throw new IllegalStateException(TABLE + ": ranges before the first [section]: " + body);
                }
                for (String range : body.split(" +")) {
                    int dash = range.indexOf('-');
                    int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash), 16);
                    int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1), 16);
                    section.set(first, last + 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TABLE, e);
        }
    }

    private static BitSet section(String header) {
        switch (header.toLowerCase(Locale.ROOT)) {
            case "[control]":
                return CONTROL;
            case "[punctuation]":
                return PUNCTUATION;
            case "[nonspacing_mark]":
                return NONSPACING_MARK;
            default:
                throw new IllegalStateException(TABLE + ": unknown section " + header);
        }
    }
}
