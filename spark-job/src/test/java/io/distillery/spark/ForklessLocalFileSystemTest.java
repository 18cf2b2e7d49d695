package io.distillery.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scratch filesystem of exported batches: found by scheme, local files, java.nio permissions, no .crc files. */
class ForklessLocalFileSystemTest {

    @Test
    void writesAndReadsLocalFilesUnderItsSchemeWithoutChecksumFiles(@TempDir java.nio.file.Path dir) throws Exception {
        String uri = ForklessLocalFileSystem.forLocal(new Path(dir.toUri()));
        assertThat(uri).isEqualTo("distillery-local://" + dir.toUri().getPath());
        FileSystem fs = FileSystem.get(URI.create(uri), new Configuration()); // resolved through META-INF/services
        assertThat(fs).isInstanceOf(ForklessLocalFileSystem.class);

        Path file = new Path(uri, "batch-0.bin");
        try (FSDataOutputStream out = fs.create(file)) {
            out.write(new byte[] {1, 2, 3});
        }
        try (FSDataInputStream in = fs.open(file)) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("batch-0.bin");
        }
        fs.setPermission(file, new FsPermission((short) 0640));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("batch-0.bin"))))
                .isEqualTo("rw-r-----");
        // listings (Spark's textFile of the exported paths lists them) come from java.nio, permissions included
        org.apache.hadoop.fs.FileStatus[] listed = fs.listStatus(new Path(uri));
        assertThat(listed).hasSize(1);
        assertThat(listed[0].getPath()).isEqualTo(fs.makeQualified(file));
        assertThat(listed[0].getLen()).isEqualTo(3);
        assertThat(listed[0].getPermission()).isEqualTo(new FsPermission((short) 0640));
        assertThat(fs.getFileStatus(new Path(uri)).isDirectory()).isTrue();
        org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> located =
                fs.listLocatedStatus(new Path(uri));
        assertThat(located.next().getPermission()).isEqualTo(new FsPermission((short) 0640));
        assertThat(fs.delete(new Path(uri), true)).isTrue();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void leavesOtherFilesystemsAlone() {
        assertThat(ForklessLocalFileSystem.forLocal(new Path("hdfs://nn:8020/runs/a/_tmp/export")))
                .isEqualTo("hdfs://nn:8020/runs/a/_tmp/export");
    }
}
