package io.distillery.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void bytesReplaceTheFileAndCreateMissingFolders() throws IOException {
        Path file = dir.resolve("a/b/report.json");
        AtomicFiles.write(file, utf8("one"));
        AtomicFiles.write(file, utf8("two"));
        assertThat(file).hasContent("two");
        assertThat(names(file.getParent())).containsExactly("report.json");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("x.bin");
        AtomicFiles.write(file, utf8("old"));
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
                    out.write(utf8("half"));
                    throw new IOException("disk gone");
                }))
                .hasMessage("disk gone");
        assertThat(file).hasContent("old");
        assertThat(names(dir)).containsExactly("x.bin");
    }

    @Test
    void streamsWritingIntoAFolderThatIsMissingFailWithoutCreatingIt() {
        Path file = dir.resolve("missing/x.bin");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> out.write(1))).isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("missing")).doesNotExist();
    }

    @Test
    void closingAWrapperFinishesItButTheFileIsPublishedOnlyByCommit() throws IOException {
        Path file = dir.resolve("data.gz");
        try (AtomicFiles.Pending pending = AtomicFiles.create(file)) {
            try (OutputStream gzip = new GZIPOutputStream(pending.stream())) {
                gzip.write(utf8("payload"));
            }
            assertThat(file).doesNotExist();
            assertThat(pending.tmp().getFileName().toString())
                    .startsWith(".data.gz.")
                    .endsWith(".tmp");
            pending.commit();
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            assertThat(in.readAllBytes()).isEqualTo(utf8("payload"));
        }
        assertThat(names(dir)).containsExactly("data.gz");
    }

    @Test
    void aNamedTemporaryReplacesALeftoverAndIsRemovedWhenAbandoned() throws IOException {
        Path file = dir.resolve("shard.tar");
        Path tmp = dir.resolve(".shard.tar.tmp");
        Files.write(tmp, utf8("leftover of a killed run, longer than the new content"));
        try (AtomicFiles.Pending pending = AtomicFiles.create(file, tmp)) {
            pending.stream().write(utf8("new"));
            assertThat(pending.size()).isEqualTo(3);
            pending.commit();
        }
        assertThat(file).hasContent("new");
        try (AtomicFiles.Pending abandoned = AtomicFiles.create(file, tmp)) {
            abandoned.stream().write(utf8("never published"));
        }
        assertThat(names(dir)).containsExactly("shard.tar");
        assertThat(file).hasContent("new");
    }
}
