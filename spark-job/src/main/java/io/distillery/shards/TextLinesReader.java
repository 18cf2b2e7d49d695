package io.distillery.shards;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads a plain UTF-8 text file, one example per line (LF or CRLF); the key is {@code <shard id>:<line number>},
 * counting from 1, unique within the dataset because shard ids are. With {@code lineLabels} a line is
 * {@code label<TAB>text}: the integer before the first TAB is the label. A line whose label cannot be read is returned
 * as a {@link SampleProblem#BAD_LABEL} reject; an empty line comes back with an empty text, which the extractor rejects
 * ({@link SampleProblem#EMPTY_TEXT}). Bytes that are not UTF-8 fail the shard, naming the line.
 */
final class TextLinesReader extends LookaheadReader {
    private final String uri;
    private final String fileName;
    private final String shardId;
    private final boolean lineLabels;
    /** Lines are split as bytes and decoded one by one, so a bad byte is reported on its own line. */
    private final InputStream in;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private long lineNumber;

    TextLinesReader(Shard shard, boolean lineLabels, Configuration conf) throws IOException {
        Path path = new Path(shard.uri());
        this.uri = shard.uri();
        this.fileName = path.getName();
        this.shardId = shard.id();
        this.lineLabels = lineLabels;
        this.in = new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16);
    }

    @Override
    protected RawSample fetch() throws IOException {
        String line = readLine();
        if (line == null) {
            return null;
        }
        String key = shardId + ":" + lineNumber;
        String source = fileName + ":" + lineNumber;
        if (!lineLabels) {
            return new RawSample(key, null, source, null, line);
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return RawSample.rejected(
                    key,
                    source,
                    SampleProblem.BAD_LABEL,
                    source + " has no TAB; with input.line-labels = true every line is label<TAB>text");
        }
        String label = line.substring(0, tab).strip();
        try {
            return new RawSample(key, null, source, Integer.parseInt(label), line.substring(tab + 1));
        } catch (NumberFormatException e) {
            return RawSample.rejected(
                    key,
                    source,
                    SampleProblem.BAD_LABEL,
                    source + ": label '" + label + "' before the TAB is not an integer");
        }
    }

    /** The next line without its LF or CRLF, or null at the end of the file (a final LF starts no line). */
    private String readLine() throws IOException {
        buffer.reset();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n') {
            buffer.write(b);
            b = in.read();
        }
        lineNumber++;
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new ShardCorruptException(uri + ": line " + lineNumber + " is not valid UTF-8", e);
        }
    }

    /** Lines are never image samples. */
    @Override
    public long withoutImage() {
        return 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
