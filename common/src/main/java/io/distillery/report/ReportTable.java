package io.distillery.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The cells of the results table, shared by the Markdown and plain-text renderings. */
final class ReportTable {

    private static final List<String> HEADER = List.of(
            "model",
            "kind",
            "kNN top-1",
            "linear top-1",
            "head top-1",
            "target MSE",
            "target cosine",
            "dim",
            "train",
            "test");
    private static final int HEAD_COLUMN = 4;

    static final String MISSING = "n/a";

    private ReportTable() {}

    /** Columns from "kNN top-1" on are right-aligned numbers. */
    static boolean isNumeric(int column) {
        return column >= 2;
    }

    /** The column names; "head top-1" only when some model has a classifier head. */
    static List<String> header(List<ModelResult> models) {
        return withoutUnusedHead(HEADER, models);
    }

    static List<List<String>> rows(List<ModelResult> models) {
        List<List<String>> rows = new ArrayList<>();
        for (ModelResult m : models) {
            rows.add(withoutUnusedHead(
                    List.of(
                            m.name(),
                            m.kind(),
                            percent(m.knnAccuracy()),
                            percent(m.linearProbeAccuracy()),
                            percent(m.headAccuracy()),
                            number(m.targetMse(), "%.4g"),
                            number(m.targetCosine(), "%.4f"),
                            Integer.toString(m.featureDim()),
                            Long.toString(m.trainCount()),
                            Long.toString(m.testCount())),
                    models));
        }
        return rows;
    }

    private static List<String> withoutUnusedHead(List<String> cells, List<ModelResult> models) {
        if (models.stream().anyMatch(m -> m.headAccuracy() != null)) {
            return cells;
        }
        List<String> out = new ArrayList<>(cells);
        out.remove(HEAD_COLUMN);
        return out;
    }

    static String percent(Double fraction) {
        return fraction == null ? MISSING : number(100 * fraction, "%.2f");
    }

    static String number(Double v, String pattern) {
        if (v == null) {
            return MISSING;
        }
        return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : Double.toString(v);
    }

    /** Columns padded to their widest cell, a dashed rule under the header. */
    static String text(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, header, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        appendLine(out, rule, width);
        for (List<String> row : rows) {
            appendLine(out, row, width);
        }
        return out.toString();
    }

    private static void appendLine(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            line.append(c == 0 ? "" : "  ").append(isNumeric(c) ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
