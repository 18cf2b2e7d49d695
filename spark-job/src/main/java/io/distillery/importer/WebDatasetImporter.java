package io.distillery.importer;

import io.distillery.provenance.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a {@link LabelledImageSet} into webdataset tar shards that {@code distillery extract} reads like any other
 * webdataset input: sample {@code i} becomes {@code PREFIX/<i zero-padded>.png} (PNG, grayscale stays grayscale)
 * and {@code PREFIX/<i>.cls} (decimal label), in shards of {@code shardSize} samples.
 *
 * <p>The order of work makes a failed import recognisable and bad input harmless:
 * <ol>
 *   <li>everything about the input is checked (the IDX files are read whole, labels against the class names) before
 *       the output folder is touched, so bad input leaves no output at all;</li>
 *   <li>an existing complete import is only replaced with {@code overwrite}; leftovers of a failed import with the
 *       same prefix are removed; other {@code .tar} files in the folder are an error (extract would read them);</li>
 *   <li>each shard is written under a hidden temporary name and renamed when complete ({@link WebDatasetShardWriter});
 *       an error while writing removes this run's shards again;</li>
 *   <li>{@code import.json} ({@link ImportManifest}) is written last, atomically: without it a folder is partial.</li>
 * </ol>
 */
public final class WebDatasetImporter {
    /** The fewest digits of a sample index in a key. */
    private static final int MIN_KEY_DIGITS = 6;

    private WebDatasetImporter() {}

    /** The outcome of an import. */
    public record Result(Path out, int samples, List<ShardInfo> shards) {}

    /** Imports {@code set} (or its first {@code options.limit()} samples) into {@code options.out()}. */
    public static Result run(LabelledImageSet set, ImportOptions options) throws IOException {
        checkOutput(options);
        Path out = options.out();
        int samples = options.limit() == null ? set.size() : Math.min(options.limit(), set.size());
        if (samples == 0) {
            throw new IllegalArgumentException("the input holds no samples (" + set.labelSource() + ")");
        }
        Map<Integer, Integer> labelCounts = countLabels(set, samples, options.classNames());
        Map<String, Object> source = set.provenance();

        prepareFolder(out, options);
        List<ShardInfo> shards = writeShards(set, samples, options);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "webdataset");
        manifest.put("format_version", ImportManifest.FORMAT_VERSION);
        manifest.put("samples", samples);
        manifest.put("source_samples", set.size());
        manifest.put("limit", options.limit());
        manifest.put("prefix", options.prefix());
        manifest.put("shard_size", options.shardSize());
        manifest.put(
                "keys",
                options.prefix() + "/<sample index in the source, zero-padded to " + keyDigits(set.size())
                        + " digits>");
        Map<String, String> members = new LinkedHashMap<>();
        members.put("png", "the image (PNG; grayscale sources stay 8-bit grayscale)");
        members.put("cls", "the label, a decimal integer");
        manifest.put("members", members);
        manifest.put("classes", options.classNames().isEmpty() ? null : options.classNames());
        manifest.put("label_counts", labelCounts);
        manifest.put("source", source);
        manifest.put(
                "shards", shards.stream().map(WebDatasetImporter::shardEntry).toList());
        manifest.put("versions", BuildInfo.versions());
        manifest.put("created", Instant.now().toString());
        ImportManifest.write(out, manifest);
        return new Result(out, samples, shards);
    }

    /**
     * Fails if {@code options.out()} is a file, or holds a complete import and {@code overwrite} is off; cheap, so
     * callers may check before reading a large input ({@link #run} checks again).
     */
    public static void checkOutput(ImportOptions options) {
        Path out = options.out();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("output folder " + out + " is a file");
        }
        if (ImportManifest.isComplete(out) && !options.overwrite()) {
            throw new IllegalArgumentException("output folder " + out + " already holds a complete import ("
                    + ImportManifest.FILE + "); pass --overwrite to replace it");
        }
    }

    /** The key of sample {@code index} in a set of {@code size}. */
    static String key(String prefix, int index, int size) {
        return String.format(Locale.ROOT, "%s/%0" + keyDigits(size) + "d", prefix, index);
    }

    private static int keyDigits(int size) {
        return Math.max(MIN_KEY_DIGITS, Integer.toString(Math.max(0, size - 1)).length());
    }

    /** Counts labels, checking each is within the class names (when given). */
    private static Map<Integer, Integer> countLabels(LabelledImageSet set, int samples, List<String> classNames) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int i = 0; i < samples; i++) {
            int label = set.label(i);
            if (label < 0 || (!classNames.isEmpty() && label >= classNames.size())) {
                throw new IllegalArgumentException(set.labelSource() + ": sample " + i + " has label " + label
                        + (label < 0
                                ? ""
                                : ", but --classes names only " + classNames.size() + " classes (0.."
                                        + (classNames.size() - 1) + ")"));
            }
            counts.merge(label, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Makes {@code out} ready: refuses foreign {@code .tar} files (anywhere below it, as extract lists recursively),
     * then removes the old manifest first (the folder is partial from here on) and the old or leftover shards.
     */
    private static void prepareFolder(Path out, ImportOptions options) throws IOException {
        Files.createDirectories(out);
        Set<String> ours = new HashSet<>();
        if (ImportManifest.isComplete(out)) {
            ours.addAll(ImportManifest.shardNames(out));
        }
        Pattern shardPattern = Pattern.compile(Pattern.quote(options.prefix()) + "-\\d{6,}\\.tar");
        List<Path> remove = new ArrayList<>();
        List<Path> foreign = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path relative = out.relativize(file);
                String name = file.getFileName().toString();
                boolean topLevel = relative.getNameCount() == 1;
                boolean leftover = name.startsWith(".") && name.endsWith(".tmp");
                if (topLevel
                        && (ours.contains(name) || shardPattern.matcher(name).matches() || leftover)) {
                    remove.add(file);
                } else if (name.toLowerCase(Locale.ROOT).endsWith(".tar") && !isHidden(relative)) {
                    foreign.add(relative);
                }
            }
        }
        if (!foreign.isEmpty()) {
            foreign.sort(null);
            throw new IllegalArgumentException("output folder " + out + " holds " + foreign.size() + " .tar file(s) "
                    + "that are not part of this import (e.g. " + foreign.get(0) + "); extract would read them "
                    + "too: use another folder or remove them");
        }
        Files.deleteIfExists(out.resolve(ImportManifest.FILE));
        for (Path file : remove) {
            Files.deleteIfExists(file);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path segment : relative) {
            String s = segment.toString();
            if (s.startsWith(".") || s.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** Writes the shards; on any error the shards written so far are removed and the error is rethrown. */
    private static List<ShardInfo> writeShards(LabelledImageSet set, int samples, ImportOptions options)
            throws IOException {
        WebDatasetShardWriter writer = new WebDatasetShardWriter(options.out(), options.prefix(), options.shardSize());
        try (PngEncoder png = new PngEncoder()) {
            for (int i = 0; i < samples; i++) {
                writer.add(key(options.prefix(), i, set.size()), png.encode(set.image(i)), set.label(i));
            }
            List<ShardInfo> shards = writer.finish();
            writer.close();
            return shards;
        } catch (IOException | RuntimeException | Error e) {
            try {
                writer.close();
                for (ShardInfo shard : writer.finished()) {
                    Files.deleteIfExists(options.out().resolve(shard.name()));
                }
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static Map<String, Object> shardEntry(ShardInfo shard) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", shard.name());
        entry.put("samples", shard.samples());
        entry.put("bytes", shard.bytes());
        entry.put("sha256", shard.sha256());
        entry.put("first_key", shard.firstKey());
        entry.put("last_key", shard.lastKey());
        return entry;
    }
}
