package io.distillery.shards;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Writes small inputs of each format; image bytes are arbitrary since nothing here decodes them. */
final class ShardTestData {
    static final MessageType IMG2DATASET = MessageTypeParser.parseMessageType(
            "message img2dataset {"
                    + " required binary key (UTF8); optional binary jpg; optional binary caption (UTF8); optional int64 label; }");

    /** A tar member; null content makes a directory entry. */
    record Member(String name, byte[] content) {
        static Member text(String name, String text) {
            return new Member(name, text.getBytes(StandardCharsets.UTF_8));
        }

        static Member bytes(String name, int size, int seed) {
            return new Member(name, image(size, seed));
        }

        static Member directory(String name) {
            return new Member(name, null);
        }
    }

    private ShardTestData() {}

    /** Deterministic bytes standing in for an encoded image. */
    static byte[] image(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return bytes;
    }

    static Path tar(Path file, Member... members) throws IOException {
        return tar(file, 512, members);
    }

    /** A tar with the given block size (Python's tarfile pads to 10240-byte blocks) and POSIX long names. */
    static Path tar(Path file, int blockSize, Member... members) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, blockSize)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Member m : members) {
                TarArchiveEntry entry = new TarArchiveEntry(m.name());
                if (m.content() != null) {
                    entry.setSize(m.content().length);
                }
                tar.putArchiveEntry(entry);
                if (m.content() != null) {
                    tar.write(m.content());
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** {@code samples} webdataset samples {@code 000000 ..} with a jpg of {@code imageBytes} and a cls each. */
    static Member[] samples(int first, int samples, int imageBytes) {
        List<Member> members = new ArrayList<>();
        for (int i = first; i < first + samples; i++) {
            String key = String.format("%06d", i);
            members.add(Member.bytes(key + ".jpg", imageBytes, i));
            members.add(Member.text(key + ".cls", Integer.toString(i % 10)));
        }
        return members.toArray(Member[]::new);
    }

    static byte[] cut(Path file, int length) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] cut = Arrays.copyOf(bytes, length);
        Files.write(file, cut);
        return cut;
    }

    /** Offset of the first byte of {@code needle} in the file (to cut or damage it at a known member). */
    static int offsetOf(Path file, byte[] needle) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found in " + file);
    }

    static Path imageFile(Path root, String relative, int size, int seed) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.write(file, image(size, seed));
    }

    /**
     * A Parquet file of {@code rows} rows from {@code row}, in row groups of about {@code rowGroupBytes} bytes.
     * Checking the size after every row is what makes tiny row groups possible.
     */
    static Path parquet(Path file, MessageType schema, long rowGroupBytes, int rows, IntFunction<Group> row)
            throws IOException {
        Files.createDirectories(file.getParent());
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withConf(new Configuration())
                .withType(schema)
                .withRowGroupSize(rowGroupBytes)
                .withPageSize(512)
                .withMinRowCountForPageSizeCheck(1)
                .withMaxRowCountForPageSizeCheck(1)
                .build()) {
            for (int i = 0; i < rows; i++) {
                writer.write(row.apply(i));
            }
        }
        return file;
    }

    static List<RawSample> readAll(Shard shard, InputOptions options, List<String> classNames) throws IOException {
        List<RawSample> samples = new ArrayList<>();
        try (ShardReader reader = ShardReader.open(shard, options, classNames, new Configuration())) {
            Iterator<RawSample> it = reader;
            it.forEachRemaining(samples::add);
        }
        return samples;
    }
}
