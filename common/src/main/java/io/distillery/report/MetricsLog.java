package io.distillery.report;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.provenance.BuildInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only JSON-lines log of training metrics on a local file. The first line is a header
 * ({@code {"format":"distillery-metrics","format_version":1,...}}), then one {@link MetricsRecord} per line:
 * <pre>
 * {"iteration":120,"epoch":0,"loss":1.93,"learning_rate":5.0E-4,"images_per_second":412.5,
 *  "wall_time_seconds":61.2}   (one line in the file)
 * </pre>
 * Non-finite numbers are written as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 *
 * <p>Each record is one {@code write} of the whole line straight to the OS (no Java buffer), so a crashed process
 * leaves at most one torn last line; {@link #sync()} also forces it to disk. Readers skip a torn last line;
 * {@link #open} cuts it off and appends after the last complete record, so a resumed run continues the same file.
 * A file lock keeps a second writer out.
 */
public final class MetricsLog implements Closeable {

    public static final String FORMAT = "distillery-metrics";
    public static final int CURRENT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final MetricsHistory existing;

    private MetricsLog(Path file, FileChannel channel, FileLock lock, MetricsHistory existing) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.existing = existing;
    }

    /** Creates the log, or resumes it after its last complete record (a torn last line is removed). */
    public static MetricsLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = tryLock(ch, file);
            byte[] content = readThroughChannel(ch);
            Scan scan = scan(content, file.toString());
            if (scan.validEnd < content.length) {
                LOG.warn("metrics log {}: removing an incomplete last line ({} bytes) left by an interrupted run",
                        file, content.length - scan.validEnd);
                ch.truncate(scan.validEnd);
            }
            ch.position(scan.validEnd);
            MetricsLog log = new MetricsLog(file, ch, lock, new MetricsHistory(scan.records, scan.torn));
            if (!scan.header) {
                log.writeLine(header());
            } else if (scan.newlineMissing) {
                log.writeBytes(new byte[] {'\n'});
            }
            return log;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel ch, Path file) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IOException("metrics log " + file + " is already open for writing by another run");
        }
        return lock;
    }

    /** Reads via the locked channel: on POSIX, closing any other descriptor of the file would drop the lock. */
    private static byte[] readThroughChannel(FileChannel ch) throws IOException {
        byte[] content = new byte[Math.toIntExact(ch.size())];
        ByteBuffer buffer = ByteBuffer.wrap(content);
        int n = 0;
        while (buffer.hasRemaining() && n >= 0) {
            n = ch.read(buffer, buffer.position());
        }
        return content;
    }

    /** Reads every complete record; a torn last line is skipped, any other malformed line is an error. */
    public static MetricsHistory read(Path file) throws IOException {
        Scan scan = scan(Files.readAllBytes(file), file.toString());
        return new MetricsHistory(scan.records, scan.torn);
    }

    /** The records the file held when it was opened (empty for a new log). */
    public MetricsHistory existing() {
        return existing;
    }

    public Path file() {
        return file;
    }

    /** Appends one record as one line, handed to the OS before returning. */
    public synchronized void append(MetricsRecord record) throws IOException {
        writeLine(toJson(record));
    }

    /** Forces everything appended so far to the storage device (e.g. at checkpoints). */
    public synchronized void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    private void writeLine(ObjectNode node) throws IOException {
        writeBytes((MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void writeBytes(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private static ObjectNode header() {
        ObjectNode h = MAPPER.createObjectNode();
        h.put("format", FORMAT);
        h.put("format_version", CURRENT_VERSION);
        h.put("created", java.time.Instant.now().toString());
        h.putPOJO("versions", BuildInfo.versions());
        return h;
    }

    static ObjectNode toJson(MetricsRecord r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("iteration", r.iteration());
        n.put("epoch", r.epoch());
        putNumber(n, "loss", r.loss());
        putNumber(n, "learning_rate", r.learningRate());
        putNumber(n, "images_per_second", r.imagesPerSecond());
        putNumber(n, "wall_time_seconds", r.wallTimeSeconds());
        return n;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.put(key, Double.toString(v)); // "NaN", "Infinity", "-Infinity": JSON has no literal for them
        }
    }

    /** What a scan of the file found: records, the end of the last good line, and how the file ends. */
    private record Scan(List<MetricsRecord> records, boolean header, int validEnd, boolean newlineMissing,
                        boolean torn) {
    }

    private static Scan scan(byte[] content, String source) {
        List<MetricsRecord> records = new ArrayList<>();
        boolean header = false;
        int validEnd = 0;
        boolean newlineMissing = false;
        boolean torn = false;
        int lineNo = 0;
        for (int pos = 0; pos < content.length; ) {
            int nl = indexOf(content, (byte) '\n', pos);
            int end = nl < 0 ? content.length : nl;
            int next = nl < 0 ? content.length : nl + 1;
            lineNo++;
            String line = new String(content, pos, end - pos, StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    if (next < content.length) {
                        throw new ReportFormatException(source + ":" + lineNo + ": not a JSON object: "
                                + e.getOriginalMessage().lines().findFirst().orElse(""));
                    }
                    torn = true; // only the last line may be torn: the writer never leaves a gap
                    break;
                }
                if (header) {
                    records.add(parseRecord(node, source + ":" + lineNo));
                } else {
                    checkHeader(node, source);
                    header = true;
                }
            }
            validEnd = next;
            newlineMissing = nl < 0;
            pos = next;
        }
        return new Scan(records, header, validEnd, newlineMissing, torn);
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void checkHeader(JsonNode node, String source) {
        if (!node.isObject() || !FORMAT.equals(node.path("format").asText())) {
            throw new ReportFormatException(source + ": not a Distillery metrics log (first line has format '"
                    + node.path("format").asText() + "', expected '" + FORMAT + "')");
        }
        int version = node.path("format_version").asInt(-1);
        if (version < 1) {
            throw new ReportFormatException(source + ": metrics log header has no valid format_version");
        }
        if (version > CURRENT_VERSION) {
            throw new ReportFormatException(source + ": found metrics log version " + version
                    + ", this build reads up to " + CURRENT_VERSION + "; upgrade Distillery to read it");
        }
    }

    private static MetricsRecord parseRecord(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new ReportFormatException(where + ": a metrics record must be a JSON object");
        }
        JsonNode iteration = n.get("iteration");
        JsonNode epoch = n.get("epoch");
        if (iteration == null || !iteration.canConvertToLong() || !iteration.isIntegralNumber()) {
            throw new ReportFormatException(where + ": metrics record has no integer 'iteration'");
        }
        if (epoch == null || !epoch.isIntegralNumber() || !epoch.canConvertToInt()) {
            throw new ReportFormatException(where + ": metrics record has no integer 'epoch'");
        }
        if (n.get("loss") == null) {
            throw new ReportFormatException(where + ": metrics record has no 'loss'");
        }
        try {
            return new MetricsRecord(iteration.asLong(), epoch.asInt(), number(n, "loss", where),
                    number(n, "learning_rate", where), number(n, "images_per_second", where),
                    number(n, "wall_time_seconds", where));
        } catch (IllegalArgumentException e) {
            throw new ReportFormatException(where + ": " + e.getMessage(), e);
        }
    }

    /** A number, or one of the strings NaN / Infinity / -Infinity; NaN when absent or null. */
    private static double number(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        String s = v.asText();
        if (v.isTextual() && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) {
            return Double.parseDouble(s);
        }
        throw new ReportFormatException(where + ": '" + key + "' must be a number but was " + v);
    }
}
