package io.distillery.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicHadoopFilesTest {
    private static final FileSystem FS;

    static {
        try {
            FS = FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    java.nio.file.Path dir;

    private Path path(String name) {
        return new Path(dir.resolve(name).toString());
    }

    /** Names in the folder, without Hadoop's .crc checksum files. */
    private static List<String> names(java.nio.file.Path folder) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".crc"))
                    .sorted()
                    .toList();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writeCreatesTheFolderAndReplacesTheFile() throws IOException {
        Path file = path("meta/dataset.json");
        AtomicHadoopFiles.write(FS, file, out -> out.write(utf8("one")));
        AtomicHadoopFiles.write(FS, file, out -> out.write(utf8("two")));
        assertThat(dir.resolve("meta/dataset.json")).hasContent("two");
        assertThat(names(dir.resolve("meta"))).containsExactly("dataset.json");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path file = path("dataset.json");
        AtomicHadoopFiles.write(FS, file, out -> out.write(utf8("old")));
        assertThatThrownBy(() -> AtomicHadoopFiles.write(FS, file, out -> {
                    out.write(utf8("half"));
                    throw new IOException("lost the namenode");
                }))
                .hasMessage("lost the namenode");
        assertThat(dir.resolve("dataset.json")).hasContent("old");
        assertThat(names(dir)).containsExactly("dataset.json");
    }

    @Test
    void aReplacedFolderIsSwappedWholeAndTheEarlierOneRemoved() throws IOException {
        Files.createDirectories(dir.resolve("student"));
        Files.writeString(dir.resolve("student/model.safetensors"), "old");
        Files.writeString(dir.resolve("student/extra.safetensors"), "only in the old export");
        Files.createDirectories(dir.resolve("_tmp-student"));
        Files.writeString(dir.resolve("_tmp-student/model.safetensors"), "new");
        AtomicHadoopFiles.replaceFolder(FS, path("_tmp-student"), path("student"));
        assertThat(names(dir)).containsExactly("student");
        assertThat(names(dir.resolve("student"))).containsExactly("model.safetensors");
        assertThat(dir.resolve("student/model.safetensors")).hasContent("new");
    }

    @Test
    void onlyTheFirstOfTwoPublishersGetsTheName() throws IOException {
        Files.writeString(dir.resolve(".lock.a"), "a");
        Files.writeString(dir.resolve(".lock.b"), "b");
        assertThat(AtomicHadoopFiles.publishIfAbsent(FS, path(".lock.a"), path("lock")))
                .isTrue();
        assertThat(AtomicHadoopFiles.publishIfAbsent(FS, path(".lock.b"), path("lock")))
                .isFalse();
        assertThat(dir.resolve("lock")).hasContent("a");
        assertThat(names(dir)).containsExactly("lock");
    }
}
