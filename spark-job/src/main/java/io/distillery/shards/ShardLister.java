package io.distillery.shards;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Lists shards on any Hadoop filesystem (driver side). */
public final class ShardLister {
    /** Rough encoded size of one WebDataset sample, for the plan's estimate only. */
    private static final long TYPICAL_SAMPLE_BYTES = 100_000;

    private ShardLister() {
    }

    public static ShardPlan list(InputOptions options, Configuration conf) throws IOException {
        Path root = new Path(options.path());
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root)) {
            throw new IllegalArgumentException("input.path " + options.path() + " does not exist");
        }
        ShardPlan plan = switch (options.format()) {
            case WEBDATASET -> webDataset(fs, root);
            case IMAGE_FOLDER -> imageFolder(fs, root, options.filesPerShard());
            case PARQUET -> parquet(fs, root, options.rowGroupsPerSplit(), conf);
        };
        if (plan.shards().isEmpty()) {
            throw new IllegalArgumentException("input.path " + options.path() + " holds no " + options.format().id() + " shards");
        }
        return plan;
    }

    private static List<FileStatus> files(FileSystem fs, Path root, String suffix) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (f.isFile() && f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(suffix)) {
                out.add(f);
            }
        }
        out.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        return out;
    }

    private static String stem(Path p) {
        String name = p.getName();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static ShardPlan webDataset(FileSystem fs, Path root) throws IOException {
        List<Shard> shards = new ArrayList<>();
        long total = 0;
        for (FileStatus f : files(fs, root, ".tar")) {
            long estimate = Math.max(1, f.getLen() / TYPICAL_SAMPLE_BYTES);
            total += estimate;
            shards.add(new Shard(stem(f.getPath()), f.getPath().toString(), ShardFormat.WEBDATASET, f.getLen(), estimate,
                    0, 1, List.of()));
        }
        return new ShardPlan(shards, List.of(), total);
    }

    private static ShardPlan imageFolder(FileSystem fs, Path root, int perShard) throws IOException {
        String prefix = fs.makeQualified(root).toString() + "/";
        List<String> relative = new ArrayList<>();
        TreeSet<String> classes = new TreeSet<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            String rel = f.getPath().toString().substring(prefix.length());
            if (f.isFile() && rel.contains("/") && !rel.startsWith(".") && !rel.startsWith("_")) {
                relative.add(rel);
                classes.add(rel.substring(0, rel.indexOf('/')));
            }
        }
        relative.sort(null);
        List<Shard> shards = new ArrayList<>();
        for (int start = 0, n = 0; start < relative.size(); start += perShard, n++) {
            List<String> chunk = relative.subList(start, Math.min(relative.size(), start + perShard));
            shards.add(new Shard(String.format(Locale.ROOT, "folder-%04d", n), prefix, ShardFormat.IMAGE_FOLDER, 0,
                    chunk.size(), 0, 1, chunk));
        }
        return new ShardPlan(shards, List.copyOf(classes), relative.size());
    }

    private static ShardPlan parquet(FileSystem fs, Path root, int groupsPerSplit, Configuration conf) throws IOException {
        List<Shard> shards = new ArrayList<>();
        long total = 0;
        for (FileStatus f : files(fs, root, ".parquet")) {
            List<BlockMetaData> blocks;
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(f.getPath(), conf))) {
                blocks = reader.getFooter().getBlocks();
            }
            int splits = Math.max(1, (blocks.size() + groupsPerSplit - 1) / groupsPerSplit);
            for (int s = 0; s < splits; s++) {
                int from = s * groupsPerSplit;
                int to = Math.min(blocks.size(), from + groupsPerSplit);
                long rows = blocks.subList(from, to).stream().mapToLong(BlockMetaData::getRowCount).sum();
                total += rows;
                String id = splits == 1 ? stem(f.getPath()) : stem(f.getPath()) + ".r" + from + "-" + to;
                shards.add(new Shard(id, f.getPath().toString(), ShardFormat.PARQUET, f.getLen(), rows, s, splits,
                        List.of(Integer.toString(from), Integer.toString(to))));
            }
        }
        return new ShardPlan(shards, List.of(), total);
    }
}
