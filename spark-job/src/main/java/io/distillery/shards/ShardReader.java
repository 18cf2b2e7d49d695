package io.distillery.shards;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/** Streams the raw samples of one shard (executor side). */
public abstract class ShardReader implements Iterator<RawSample>, AutoCloseable {
    private RawSample next;

    public static ShardReader open(Shard shard, InputOptions options, List<String> classNames, Configuration conf)
            throws IOException {
        return switch (shard.format()) {
            case WEBDATASET -> new WebDataset(shard, conf);
            case IMAGE_FOLDER -> new ImageFolder(shard, classNames, conf);
            case PARQUET -> new ParquetRows(shard, options, conf);
        };
    }

    @Override
    public abstract void close() throws IOException;

    /** The next sample, or null at the end. */
    protected abstract RawSample read() throws IOException;

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return next != null;
    }

    @Override
    public RawSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RawSample out = next;
        next = null;
        return out;
    }

    /** img2dataset / webdataset tars: consecutive members sharing a key form one sample. */
    static final class WebDataset extends ShardReader {
        private final Shard shard;
        private final TarArchiveInputStream tar;
        private TarArchiveEntry pending;

        WebDataset(Shard shard, Configuration conf) throws IOException {
            this.shard = shard;
            Path path = new Path(shard.uri());
            this.tar = new TarArchiveInputStream(path.getFileSystem(conf).open(path));
        }

        private TarArchiveEntry nextEntry() {
            try {
                return tar.getNextTarEntry();
            } catch (IOException e) {
                throw new ShardCorruptException(shard.uri() + ": corrupt tar (" + e.getMessage() + ")", e);
            }
        }

        private byte[] content() {
            try {
                return tar.readAllBytes();
            } catch (IOException e) {
                throw new ShardCorruptException(shard.uri() + ": truncated tar (" + e.getMessage() + ")", e);
            }
        }

        @Override
        protected RawSample read() {
            while (true) {
                TarArchiveEntry first = pending != null ? pending : nextEntry();
                pending = null;
                if (first == null) {
                    return null;
                }
                if (!first.isFile()) {
                    continue;
                }
                String key = keyOf(first.getName());
                byte[] image = null;
                String imageName = null;
                Integer label = null;
                String caption = null;
                TarArchiveEntry entry = first;
                while (entry != null && keyOf(entry.getName()).equals(key)) {
                    if (entry.isFile()) {
                        String ext = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                        ext = ext.substring(ext.indexOf('.') + 1).toLowerCase(Locale.ROOT);
                        byte[] data = content();
                        switch (ext) {
                            case "jpg", "jpeg", "png", "webp" -> {
                                if (image == null) {
                                    image = data;
                                    imageName = shard.uri().substring(shard.uri().lastIndexOf('/') + 1) + "/" + entry.getName();
                                }
                            }
                            case "cls" -> label = parseLabel(key, data);
                            case "txt" -> caption = new String(data, StandardCharsets.UTF_8).strip();
                            default -> { }
                        }
                    }
                    entry = nextEntry();
                }
                pending = entry;
                if (image != null) {
                    return new RawSample(key, image, imageName, label, caption);
                }
            }
        }

        private Integer parseLabel(String key, byte[] data) {
            String text = new String(data, StandardCharsets.UTF_8).strip();
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ShardCorruptException(shard.uri() + ": sample " + key + " has a non-integer .cls '" + text + "'", e);
            }
        }

        private static String keyOf(String name) {
            int slash = name.lastIndexOf('/');
            int dot = name.indexOf('.', slash + 1);
            return dot < 0 ? name : name.substring(0, dot);
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }

    /** ImageNet layout: label = index of the class folder among the sorted class folders. */
    static final class ImageFolder extends ShardReader {
        private final Shard shard;
        private final List<String> classNames;
        private final FileSystem fs;
        private int index;

        ImageFolder(Shard shard, List<String> classNames, Configuration conf) throws IOException {
            this.shard = shard;
            this.classNames = classNames;
            this.fs = new Path(shard.uri()).getFileSystem(conf);
        }

        @Override
        protected RawSample read() throws IOException {
            if (index >= shard.members().size()) {
                return null;
            }
            String rel = shard.members().get(index++);
            byte[] bytes;
            try (InputStream in = fs.open(new Path(shard.uri() + rel))) {
                bytes = in.readAllBytes();
            }
            int dot = rel.lastIndexOf('.');
            String key = dot > rel.lastIndexOf('/') ? rel.substring(0, dot) : rel;
            return new RawSample(key, bytes, rel, classNames.indexOf(rel.substring(0, rel.indexOf('/'))), null);
        }

        @Override
        public void close() {
        }
    }

    /** img2dataset Parquet: rows of the shard's row-group range only. */
    static final class ParquetRows extends ShardReader {
        private final ParquetFileReader reader;
        private final InputOptions options;
        private final MessageType schema;
        private final String stem;
        private final ArrayDeque<Group> buffered = new ArrayDeque<>();
        private int group;
        private final int endGroup;
        private long row;

        ParquetRows(Shard shard, InputOptions options, Configuration conf) throws IOException {
            this.options = options;
            this.reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(shard.uri()), conf));
            this.schema = reader.getFooter().getFileMetaData().getSchema();
            this.group = Integer.parseInt(shard.members().get(0));
            this.endGroup = Integer.parseInt(shard.members().get(1));
            this.stem = shard.id();
            for (int g = 0; g < group; g++) {
                row += reader.getFooter().getBlocks().get(g).getRowCount();
            }
            for (int g = 0; g < group; g++) {
                reader.skipNextRowGroup();
            }
        }

        @Override
        protected RawSample read() throws IOException {
            while (true) {
                while (buffered.isEmpty()) {
                    if (group >= endGroup) {
                        return null;
                    }
                    PageReadStore pages = reader.readNextRowGroup();
                    group++;
                    RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                            .getRecordReader(pages, new GroupRecordConverter(schema));
                    for (long i = 0; i < pages.getRowCount(); i++) {
                        buffered.add(records.read());
                    }
                }
                Group g = buffered.poll();
                long index = row++;
                if (!has(g, options.imageColumn())) {
                    continue;
                }
                String key = has(g, options.keyColumn()) ? g.getString(options.keyColumn(), 0) : stem + ":" + index;
                String caption = has(g, options.captionColumn()) ? g.getString(options.captionColumn(), 0) : null;
                Integer label = options.labelColumn() != null && has(g, options.labelColumn())
                        ? (int) g.getLong(options.labelColumn(), 0) : null;
                return new RawSample(key, g.getBinary(options.imageColumn(), 0).getBytes(), stem + "/" + key, label, caption);
            }
        }

        private boolean has(Group g, String column) {
            return column != null && schema.containsField(column) && g.getFieldRepetitionCount(column) > 0;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
