package io.distillery.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * DL4J M2.1's SameDiff prints "Added differentiated op ..." to stdout once per op of every layer when a backward
 * graph is built (thousands of lines); this drops exactly those lines and passes everything else through.
 */
public final class StdoutFilter extends FilterOutputStream {
    private static final String NOISE = "Added differentiated op ";
    private final StringBuilder line = new StringBuilder();

    private StdoutFilter(OutputStream out) {
        super(out);
    }

    /** Replaces System.out once; idempotent. */
    public static synchronized void install() {
        if (!(System.out instanceof Marked)) {
            System.setOut(new Marked(new StdoutFilter(System.out)));
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.append((char) (b & 0xFF));
        if (b == '\n') {
            flushLine();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (line.length() > 0
                && !NOISE.startsWith(line.toString())
                && !line.toString().startsWith(NOISE)) {
            flushLine();
        }
        out.flush();
    }

    private void flushLine() throws IOException {
        String text = line.toString();
        line.setLength(0);
        if (!text.startsWith(NOISE)) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** Marks the installed stream so a second install is a no-op. */
    private static final class Marked extends PrintStream {
        Marked(OutputStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }
    }
}
