package io.distillery.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.files.AtomicFiles;
import io.distillery.provenance.BuildInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The results of an evaluation run for any number of models, written as JSON (snake_case, non-finite numbers as
 * the strings "NaN" / "Infinity"), as a Markdown table and as a plain-text table for the console.
 *
 * @param format        always {@link #FORMAT}
 * @param formatVersion layout version; readers reject versions newer than they know
 * @param title         heading of the report
 * @param created       ISO-8601 time the report was made
 * @param settings      evaluation settings worth recording (kNN k and T, probe l2, dataset, ...), in order
 * @param versions      Distillery, DL4J, Spark, Java versions
 * @param models        one result per model, names unique, in display order
 */
public record EvaluationReport(
        String format,
        int formatVersion,
        String title,
        String created,
        Map<String, String> settings,
        Map<String, String> versions,
        List<ModelResult> models) {

    public static final String FORMAT = "distillery-evaluation";
    public static final int CURRENT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public EvaluationReport {
        if (!FORMAT.equals(format) || formatVersion < 1 || formatVersion > CURRENT_VERSION) {
            throw new IllegalArgumentException("evaluation report format must be " + FORMAT + " version 1 to "
                    + CURRENT_VERSION + " but was " + format + " version " + formatVersion);
        }
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("report title must not be blank");
        }
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("report '" + title + "' has no model results");
        }
        Set<String> names = new HashSet<>();
        for (ModelResult m : models) {
            if (m == null) {
                throw new IllegalArgumentException("report '" + title + "' has a null model result");
            }
            if (!names.add(m.name())) {
                throw new IllegalArgumentException(
                        "model name '" + m.name() + "' appears twice in report '" + title + "'");
            }
        }
        models = List.copyOf(models);
        settings = ordered(settings);
        versions = ordered(versions);
    }

    private static Map<String, String> ordered(Map<String, String> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** A report made now by this build. */
    public static EvaluationReport of(String title, Map<String, String> settings, List<ModelResult> models) {
        return new EvaluationReport(
                FORMAT,
                CURRENT_VERSION,
                title,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                settings,
                BuildInfo.versions(),
                models);
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise evaluation report", e);
        }
    }

    /** Parses and checks format and version; {@code source} names the file in errors. */
    public static EvaluationReport fromJson(String json, String source) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null
                    || !node.isObject()
                    || !FORMAT.equals(node.path("format").asText())) {
                throw new ReportFormatException(source + ": not a Distillery evaluation report (format is '"
                        + (node == null ? "" : node.path("format").asText()) + "', expected '" + FORMAT + "')");
            }
            int version = node.path("format_version").asInt(-1);
            if (version < 1 || version > CURRENT_VERSION) {
                throw new ReportFormatException(source + ": found evaluation report version " + version
                        + ", this build reads 1 to " + CURRENT_VERSION);
            }
            return MAPPER.treeToValue(node, EvaluationReport.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new ReportFormatException(
                    source + ": evaluation report is not valid: "
                            + (cause == e ? e.getOriginalMessage() : cause.getMessage())
                                    .lines()
                                    .findFirst()
                                    .orElse(""),
                    e);
        }
    }

    public static EvaluationReport readJson(Path file) throws IOException {
        return fromJson(Files.readString(file), file.toString());
    }

    public void writeJson(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    public void writeMarkdown(Path file) throws IOException {
        AtomicFiles.write(file, toMarkdown().getBytes(StandardCharsets.UTF_8));
    }

    /** Heading, a results table, then the scored checkpoints, settings and versions as lists. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("Created ").append(created).append(".\n\n");
        List<List<String>> rows = ReportTable.rows(models);
        List<String> header = ReportTable.header(models);
        md.append(markdownRow(header)).append('\n');
        StringBuilder rule = new StringBuilder("|");
        for (int c = 0; c < header.size(); c++) {
            rule.append(ReportTable.isNumeric(c) ? "---:|" : "---|");
        }
        md.append(rule).append('\n');
        for (List<String> row : rows) {
            md.append(markdownRow(row)).append('\n');
        }
        md.append("\nAccuracies are top-1 in percent; MSE and cosine compare predicted with target tokens; "
                + "n/a = not measured.\n");
        appendList(md, "Checkpoints", checkpoints());
        appendList(md, "Settings", settings);
        appendList(md, "Versions", versions);
        return md.toString();
    }

    /** Model name to "file (SHA-256 digest)" for the models that name their checkpoint. */
    private Map<String, String> checkpoints() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ModelResult m : models) {
            if (m.checkpoint() != null || m.checkpointSha256() != null) {
                out.put(m.name(), m.checkpoint() + " (SHA-256 " + m.checkpointSha256() + ")");
            }
        }
        return out;
    }

    /** The results as an aligned plain-text table, for logs and the console. */
    public String toText() {
        return title + "\n" + ReportTable.text(ReportTable.header(models), ReportTable.rows(models));
    }

    private static String markdownRow(List<String> cells) {
        StringBuilder row = new StringBuilder("|");
        for (String cell : cells) {
            row.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        return row.toString();
    }

    private static void appendList(StringBuilder md, String heading, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        md.append("\n## ").append(heading).append("\n\n");
        entries.forEach(
                (k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    }
}
