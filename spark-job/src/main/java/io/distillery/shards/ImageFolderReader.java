package io.distillery.shards;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Reads the files of an image-folder chunk: key = relative path without extension, label = class folder index. */
final class ImageFolderReader extends LookaheadReader {
    private final String shardId;
    private final Path root;
    private final FileSystem fs;
    private final Iterator<String> members;
    private final Map<String, Integer> labels = new HashMap<>();

    ImageFolderReader(Shard shard, List<String> classNames, Configuration conf) throws IOException {
        this.shardId = shard.id();
        this.root = new Path(shard.uri());
        this.fs = root.getFileSystem(conf);
        this.members = shard.members().iterator();
        for (int i = 0; i < classNames.size(); i++) {
            labels.put(classNames.get(i), i);
        }
    }

    @Override
    protected RawSample fetch() throws IOException {
        if (!members.hasNext()) {
            return null;
        }
        String relative = members.next();
        String className = relative.substring(0, relative.indexOf('/'));
        Integer label = labels.get(className);
        if (label == null) {
            throw new IllegalArgumentException("shard " + shardId + ": class folder '" + className + "' of " + relative
                    + " is not among the class names given; pass the ShardPlan's classNames");
        }
        Path file = new Path(root, relative);
        if (LocalLinks.leavesRoot(fs, root, file)) { // checked again at read time: the listing may be old
            return RawSample.rejected(
                    ShardIds.withoutExtension(relative),
                    relative,
                    SampleProblem.OUTSIDE_INPUT,
                    "a link leading outside input.path; not followed");
        }
        byte[] image;
        try (InputStream in = fs.open(file)) {
            image = in.readAllBytes();
        }
        return new RawSample(ShardIds.withoutExtension(relative), image, relative, label, null);
    }

    /** Image folders have no image-less samples. */
    @Override
    public long withoutImage() {
        return 0;
    }

    @Override
    public void close() {
        // Each file is closed as soon as it is read.
    }
}
