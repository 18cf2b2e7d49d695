package io.distillery.report;

import io.distillery.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Shared plot plumbing: headless AWT, size checks and the atomic PNG write. */
final class Plots {

    static final int MIN_SIZE = 100;
    static final int MAX_SIZE = 10_000;

    private Plots() {}

    /**
     * Plots are drawn on Spark drivers and build machines without a display. Must run before the first AWT use;
     * an explicit -Djava.awt.headless=... from the command line is respected.
     */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static void checkSize(int width, int height) {
        if (width < MIN_SIZE || width > MAX_SIZE || height < MIN_SIZE || height > MAX_SIZE) {
            throw new IllegalArgumentException("plot size " + width + "x" + height + " is outside " + MIN_SIZE + ".."
                    + MAX_SIZE + " pixels per side");
        }
    }

    static void writePng(Chart<?, ?> chart, Path file) throws IOException {
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The title with the note appended in parentheses, if there is one. */
    static String title(String title, String note) {
        return note.isEmpty() ? title : title + " (" + note + ")";
    }
}
