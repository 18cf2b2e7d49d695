package io.distillery.cli;

import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.EvaluateJob;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.importer.ClassNames;
import io.distillery.importer.IdxDataset;
import io.distillery.importer.ImportOptions;
import io.distillery.importer.WebDatasetImporter;
import io.distillery.spark.SparkSessions;
import io.distillery.train.TrainJob;
import io.distillery.train.TrainSettings;
import io.distillery.train.TrainSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillery quickstart}: the whole pipeline on the bundled Fashion-MNIST subset in Spark local mode —
 * import to WebDataset shards, extract with the committed teacher, train a half-depth student without labels,
 * evaluate teacher vs student vs a random-init student — printing progress and, at the end, the table and paths.
 * Every step resumes: rerunning skips what is complete.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = "extract -> train -> evaluate on the bundled Fashion-MNIST subset (Spark local mode).")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "out/quickstart", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--data",
            defaultValue = "data/fashion-mnist-subset",
            description = "IDX files (train-*/t10k-*), default the bundled subset (${DEFAULT-VALUE}).")
    Path data;

    @Option(
            names = "--teacher",
            defaultValue = "conf/models/quickstart-teacher",
            description = "Teacher folder with config.json and model.safetensors (default ${DEFAULT-VALUE}).")
    Path teacher;

    @Option(
            names = "--student",
            defaultValue = "conf/models/fmnist-d2v2-student.json",
            description = "Student config.json (default ${DEFAULT-VALUE}).")
    Path student;

    @Option(
            names = "--iterations",
            defaultValue = "480",
            description = "Student iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
            names = "--set",
            paramLabel = "job.key=value",
            description = "Extra setting, e.g. --set train.optimizer.lr=1e-3 (job: extract, train or evaluate).")
    List<String> extra = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Path shards = out.resolve("shards");
        step(1, "import the Fashion-MNIST IDX files from " + data + " as WebDataset shards");
        importIdx(
                data.resolve("train-images-idx3-ubyte.gz"),
                data.resolve("train-labels-idx1-ubyte.gz"),
                shards.resolve("train"),
                "fmnist-train");
        importIdx(
                data.resolve("t10k-images-idx3-ubyte.gz"),
                data.resolve("t10k-labels-idx1-ubyte.gz"),
                shards.resolve("test"),
                "fmnist-test");
        Path features = out.resolve("features");
        Path run = out.resolve("student-run");
        Path report = out.resolve("report");
        try (SparkSession spark = SparkSessions.getOrCreate("local[2]", "distillery-quickstart")) {
            step(2, "extract: the teacher's contextualized targets for the training images -> " + features);
            ExtractSummary extracted = ExtractJob.run(
                    spark,
                    ExtractSettings.from(JobConfigLoader.load(
                            null,
                            with(
                                    "extract",
                                    List.of(
                                            "input.format=webdataset",
                                            q("input.path", shards.resolve("train")),
                                            q("output.path", features),
                                            q("teacher.model", teacher.resolve("config.json")),
                                            q("teacher.checkpoint", teacher.resolve("model.safetensors")),
                                            "views.random=1",
                                            "views.eval-crop-pct=1.0",
                                            "batch-size=64",
                                            "progress-interval=5s")),
                            "distillery.extract")));
            if (!extracted.ok()) {
                throw new IllegalArgumentException("extract did not complete: " + extracted);
            }
            step(3, "train: a " + "half-depth student on the cached targets, no labels -> " + run);
            TrainSummary trained = TrainJob.run(
                    spark,
                    TrainSettings.from(
                            JobConfigLoader.load(
                                    null,
                                    with(
                                            "train",
                                            List.of(
                                                    q("dataset", features),
                                                    q("run-dir", run),
                                                    q("student.model", student),
                                                    "iterations=" + iterations,
                                                    "optimizer.lr=1e-3",
                                                    "optimizer.warmup-iterations=40",
                                                    "optimizer.min-lr=1e-5",
                                                    "parameter-averaging.batch-size-per-worker=32",
                                                    "parameter-averaging.averaging-frequency=4",
                                                    "checkpoint.every=120")),
                                    "distillery.train"),
                            "distillery.train"),
                    true);
            step(4, "evaluate: kNN and linear probe of teacher, student and random-init student -> " + report);
            EvaluateJob.Outcome evaluated = EvaluateJob.run(
                    spark,
                    EvaluateSettings.from(JobConfigLoader.load(
                            null,
                            with(
                                    "evaluate",
                                    List.of(
                                            q("train-images.path", shards.resolve("train")),
                                            q("test-images.path", shards.resolve("test")),
                                            q("out", report),
                                            q("loss-run", run),
                                            "models=[{name = teacher, kind = teacher, model = \""
                                                    + teacher.resolve("config.json")
                                                    + "\", checkpoint = \"" + teacher.resolve("model.safetensors")
                                                    + "\"},"
                                                    + "{name = student, kind = student, run-dir = \"" + run + "\"},"
                                                    + "{name = random-student, kind = baseline, model = \"" + student
                                                    + "\", checkpoint = random}]",
                                            q("targets.dataset", features),
                                            "targets.rows=256")),
                            EvaluateSettings.SECTION)));
            System.out.println();
            System.out.println(evaluated.report().toText());
            // a rerun finds the student already trained: no first loss was seen this time (NaN), so none is shown
            String loss = Double.isNaN(trained.firstLoss())
                    ? String.format(Locale.ROOT, "trained before, final loss %.4f", trained.finalLoss())
                    : String.format(Locale.ROOT, "loss %.4f -> %.4f", trained.firstLoss(), trained.finalLoss());
            System.out.printf(
                    Locale.ROOT,
                    "quickstart finished in %.1f min (student: %d iterations, %s)%n",
                    (System.nanoTime() - start) / 6e10,
                    trained.iteration(),
                    loss);
            System.out.println("report:          " + evaluated.markdown() + " ("
                    + evaluated.json().getFileName() + ")");
            evaluated.plots().forEach(p -> System.out.println("plot:            " + p));
            System.out.println("feature dataset: " + features);
            System.out.println("student:         " + trained.studentDir());
        }
        return 0;
    }

    private List<String> with(String job, List<String> base) {
        List<String> all = new ArrayList<>(base);
        for (String e : extra) {
            if (e.startsWith(job + ".")) {
                all.add(e.substring(job.length() + 1));
            }
        }
        return all;
    }

    private static String q(String key, Path value) {
        return key + "=\"" + value.toAbsolutePath() + "\"";
    }

    private static void step(int n, String what) {
        System.out.printf(Locale.ROOT, "%n[quickstart %d/4] %s%n", n, what);
    }

    private static void importIdx(Path images, Path labels, Path dir, String prefix) throws Exception {
        if (Files.exists(dir.resolve("import.json"))) {
            System.out.println("  " + dir + " already imported");
            return;
        }
        ImportOptions options = new ImportOptions(dir, prefix, 1000, null, ClassNames.parse("fashion-mnist"), true);
        WebDatasetImporter.Result result = WebDatasetImporter.run(IdxDataset.read(images, labels), options);
        System.out.println(
                "  " + result.samples() + " images in " + result.shards().size() + " shard(s) under " + dir);
    }
}
