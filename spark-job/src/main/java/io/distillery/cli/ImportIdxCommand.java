package io.distillery.cli;

import io.distillery.importer.ClassNames;
import io.distillery.importer.IdxDataset;
import io.distillery.importer.ImportOptions;
import io.distillery.importer.WebDatasetImporter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery import-idx}: IDX image + label files (MNIST, Fashion-MNIST) to webdataset tar shards. */
@Command(
        name = "import-idx",
        mixinStandardHelpOptions = true,
        description = {
            "Converts an IDX3 image file and its IDX1 label file (plain or .gz, e.g. Fashion-MNIST) into "
                    + "webdataset tar shards (KEY.png + KEY.cls) for `distillery extract` (input.format = webdataset).",
            "import.json is written last: a folder without it is a partial import."
        })
final class ImportIdxCommand implements Callable<Integer> {
    @Option(names = "--images", required = true, paramLabel = "<idx>", description = "IDX3 unsigned-byte images.")
    Path images;

    @Option(names = "--labels", required = true, paramLabel = "<idx>", description = "IDX1 unsigned-byte labels.")
    Path labels;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder for the shards.")
    Path out;

    @Option(
            names = "--shard-size",
            paramLabel = "N",
            defaultValue = "" + ImportOptions.DEFAULT_SHARD_SIZE,
            description = "Samples per shard (default: ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--limit", paramLabel = "N", description = "Import only the first N samples.")
    Integer limit;

    @Option(
            names = "--prefix",
            paramLabel = "<name>",
            description = "Shard names <name>-000000.tar and keys <name>/000123 (default: from the image file's "
                    + "name, train-images-idx3-ubyte.gz gives train).")
    String prefix;

    @Option(
            names = "--classes",
            paramLabel = "<preset|a,b,...>",
            description = "Class names of labels 0, 1, ... for the manifest: a preset (${COMPLETION-CANDIDATES}) or "
                    + "a comma-separated list; labels outside it are an error.",
            completionCandidates = Presets.class)
    String classes;

    @Option(names = "--overwrite", description = "Replace an existing complete import in --out.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        List<String> classNames = classes == null ? List.of() : ClassNames.parse(classes);
        ImportOptions options = new ImportOptions(
                out,
                prefix == null ? ImportOptions.defaultPrefix(images) : prefix,
                shardSize,
                limit,
                classNames,
                overwrite);
        WebDatasetImporter.checkOutput(options);
        WebDatasetImporter.Result result = WebDatasetImporter.run(IdxDataset.read(images, labels), options);
        System.out.println("import-idx complete: " + result.samples() + " samples in "
                + result.shards().size() + " shard(s) under " + result.out());
        return 0;
    }

    /** Class-name presets for the help text. */
    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ClassNames.presets().iterator();
        }
    }
}
