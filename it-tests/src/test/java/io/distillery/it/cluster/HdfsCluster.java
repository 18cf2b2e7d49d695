package io.distillery.it.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * An HDFS mini cluster (NameNode + one DataNode, in the test JVM, on loopback) from Hadoop's shaded
 * {@code hadoop-client-minicluster}, the Hadoop version Spark 3.5.9 is built against. Executors in other JVMs
 * reach it through {@link #uri()}.
 */
public final class HdfsCluster implements AutoCloseable {
    private final MiniDFSCluster cluster;
    private final FileSystem fs;

    private HdfsCluster(MiniDFSCluster cluster) throws IOException {
        this.cluster = cluster;
        this.fs = cluster.getFileSystem();
    }

    /** Starts a cluster whose storage lives under {@code baseDir}. */
    public static HdfsCluster start(java.nio.file.Path baseDir) throws IOException {
        Files.createDirectories(baseDir);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toAbsolutePath().toString());
        conf.setInt("dfs.replication", 1);
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", false);
        // small blocks, so shards and feature files span several blocks as on a real cluster
        conf.setLong("dfs.blocksize", 1024 * 1024);
        conf.setLong("dfs.namenode.fs-limits.min-block-size", 64 * 1024);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
                .numDataNodes(1)
                .format(true)
                .checkDataNodeAddrConfig(false)
                .build();
        cluster.waitActive();
        return new HdfsCluster(cluster);
    }

    /** {@code hdfs://127.0.0.1:<port>} */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    /** An absolute {@code hdfs://} URI for a path such as {@code /in/00000.tar}. */
    public String uri(String absolutePath) {
        return uri() + absolutePath;
    }

    public FileSystem fs() {
        return fs;
    }

    public void write(String path, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(new Path(path), true)) {
            out.write(bytes);
        }
    }

    public void copyFromLocal(java.nio.file.Path local, String path) throws IOException {
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(path));
    }

    public boolean exists(String path) throws IOException {
        return fs.exists(new Path(path));
    }

    /** Names of the files directly in a folder (sorted; empty if it does not exist). */
    public List<String> names(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (fs.exists(new Path(dir))) {
            for (var status : fs.listStatus(new Path(dir))) {
                names.add(status.getPath().getName());
            }
        }
        names.sort(null);
        return names;
    }

    /**
     * Every file under {@code dir}, recursively: relative path to "length / modification time / HDFS checksum".
     * Two equal snapshots mean nothing was written, replaced or touched in between.
     */
    public Map<String, String> snapshot(String dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        Path root = fs.makeQualified(new Path(dir));
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus status = it.next();
            String relative = status.getPath()
                    .toUri()
                    .getPath()
                    .substring(root.toUri().getPath().length());
            FileChecksum checksum = fs.getFileChecksum(status.getPath());
            files.put(relative, status.getLen() + " / " + status.getModificationTime() + " / " + checksum);
        }
        // folders too, with their modification times: a rerun must not even create and delete a temp file
        collectDirs(root, root, files);
        return files;
    }

    private void collectDirs(Path root, Path dir, Map<String, String> out) throws IOException {
        for (var status : fs.listStatus(dir)) {
            if (status.isDirectory()) {
                out.put(
                        status.getPath()
                                        .toUri()
                                        .getPath()
                                        .substring(root.toUri().getPath().length()) + "/",
                        "dir / " + status.getModificationTime());
                collectDirs(root, status.getPath(), out);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fs.close();
        } finally {
            cluster.shutdown(true);
        }
    }
}
