package io.distillery.evaluate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Labelled texts for {@code evaluate} with {@code modality = text}: a text file, or a folder of {@code *.txt} files
 * read in name order, one example a line as {@code label<TAB>text} (UTF-8; blank lines skipped). The label is any
 * string; the text is everything after the first TAB. Read on the driver (a few MB for tens of thousands of texts).
 */
final class LabelledTexts {
    /** One example; {@code source} is {@code file:line} (1-based) for messages. */
    record Example(String source, String label, String text) {}

    private LabelledTexts() {}

    /**
     * At most {@code n} examples, a seeded sample in file order: labelled files are often sorted by label (WordNet's
     * by category), so the first n lines could hold a few classes only. An example is kept when its rank in a
     * seeded hash order of the sources is below n; the same seed and files give the same sample.
     */
    static List<Example> sample(List<Example> examples, int n, long seed) {
        if (n <= 0 || examples.size() <= n) {
            return examples;
        }
        Integer[] order = new Integer[examples.size()];
        long[] hashes = new long[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            hashes[i] = mix(seed ^ mix(examples.get(i).source().hashCode()));
        }
        Arrays.sort(order, (a, b) -> hashes[a] != hashes[b] ? Long.compare(hashes[a], hashes[b]) : a - b);
        boolean[] keep = new boolean[order.length];
        for (int i = 0; i < n; i++) {
            keep[order[i]] = true;
        }
        List<Example> kept = new ArrayList<>(n);
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                kept.add(examples.get(i));
            }
        }
        return kept;
    }

    /** SplitMix64's finaliser: a well-mixed 64-bit hash of {@code z}. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * @param key the setting naming {@code path} (e.g. {@code distillery.evaluate.train-texts}), named in errors
     * @throws IllegalArgumentException naming the key, or the file and line, for a missing input, a line without a
     *                                  TAB, an empty label, or no examples at all
     */
    static List<Example> read(String key, String path, Configuration conf) throws IOException {
        Path root = new Path(path);
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root)) {
            throw new IllegalArgumentException(key + ": " + path + " does not exist");
        }
        List<Path> files = new ArrayList<>();
        if (fs.getFileStatus(root).isDirectory()) {
            Arrays.stream(fs.listStatus(root))
                    .filter(FileStatus::isFile)
                    .map(FileStatus::getPath)
                    .filter(p -> p.getName().endsWith(".txt"))
                    .sorted()
                    .forEach(files::add);
            if (files.isEmpty()) {
                throw new IllegalArgumentException(key + ": folder " + path + " holds no *.txt files");
            }
        } else {
            files.add(root);
        }
        List<Example> examples = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                int number = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String source = file + ":" + number;
                    int tab = line.indexOf('\t');
                    if (tab < 0) {
                        throw new IllegalArgumentException(
                                key + ": " + source + ": no TAB; every line must be label<TAB>text");
                    }
                    if (tab == 0) {
                        throw new IllegalArgumentException(
                                key + ": " + source + ": empty label; every line must be label<TAB>text");
                    }
                    examples.add(new Example(source, line.substring(0, tab), line.substring(tab + 1)));
                }
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(key + ": " + path + " holds no labelled texts");
        }
        return examples;
    }

    /** The class index of every label: the sorted distinct labels of {@code train}, counted from 0. */
    static Map<String, Integer> classes(List<Example> train) {
        Map<String, Integer> classes = new LinkedHashMap<>();
        for (String label : new TreeSet<>(train.stream().map(Example::label).toList())) {
            classes.put(label, classes.size());
        }
        return classes;
    }

    /**
     * The class indices of {@code examples}.
     *
     * @throws IllegalArgumentException naming the key, file, line and label of the first label not in
     *                                  {@code classes}
     */
    static int[] labels(String key, List<Example> examples, Map<String, Integer> classes) {
        int[] labels = new int[examples.size()];
        for (int i = 0; i < labels.length; i++) {
            Example e = examples.get(i);
            Integer c = classes.get(e.label());
            if (c == null) {
                throw new IllegalArgumentException(key + ": " + e.source() + ": label '" + e.label()
                        + "' does not occur in the training texts (" + classes.size() + " classes)");
            }
            labels[i] = c;
        }
        return labels;
    }

    /** The texts, in order. */
    static List<String> texts(List<Example> examples) {
        return examples.stream().map(Example::text).toList();
    }
}
