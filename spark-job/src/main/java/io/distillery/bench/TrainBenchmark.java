package io.distillery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.Nd4jSeed;
import io.distillery.scoring.PixelBatch;
import io.distillery.spark.SparkSessions;
import io.distillery.student.Optimization;
import io.distillery.student.StudentGraph;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.train.TrainJob;
import io.distillery.train.TrainSettings;
import io.distillery.train.TrainSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * P3 (a student train step in DL4J vs the same model in PyTorch eager on the same cores), P4 (Spark parameter
 * averaging images/s vs a single-process DL4J loop on the same rows) and P5 (an epoch against cached targets vs an
 * epoch running the teacher online), measured in one run and printed as a table.
 * Run: {@code deploy/bin/distillery benchmark train}.
 */
public final class TrainBenchmark {
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};
    private final Path work;
    private final int images;
    private final int batch;
    private final String python;

    public TrainBenchmark(Path work, int images, int batch, String python) {
        this.work = work;
        this.images = images;
        this.batch = batch;
        this.python = python;
    }

    /** The student of P3-P5: data2vec 2.0 style, img 64, patch 8, dim 128, 3 blocks, 4 heads. */
    static ModelConfig student() {
        return new ModelConfig(
                ModelFamily.DATA2VEC2, 64, 8, 3, 128, 3, 4, 4.0, true, 1e-6, 0.0, false, false, MEAN, STD, 0);
    }

    public List<String> run() throws Exception {
        ModelConfig teacherConfig = ExtractBenchmark.defaultTeacher();
        ExtractBenchmark extract = new ExtractBenchmark(work, images, 32, teacherConfig);
        Path input = extract.syntheticImages(work.resolve("images"));
        Path teacher = extract.randomTeacher(work.resolve("teacher"));
        ModelConfig student = student();
        List<String> table = new ArrayList<>();
        table.add(String.format(
                Locale.ROOT,
                "student %s; teacher %s; %d images x 2 views; batch %d; OMP_NUM_THREADS=%s;" + " %d cores",
                student,
                teacherConfig,
                images,
                batch,
                System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors()));

        double dl4jStep = dl4jStepMillis(student);
        double[] torch = torchStepMillis(student);
        table.add(String.format(
                Locale.ROOT,
                "P3 DL4J train step (batch %d)      %8.1f ms  %7.1f images/s",
                batch,
                dl4jStep,
                batch * 1000 / dl4jStep));
        if (torch == null) {
            table.add("P3 PyTorch eager train step         n/a (" + python + " with torch not found; apt-get install "
                    + "python3-torch libopenblas0-pthread)");
        } else {
            table.add(String.format(
                    Locale.ROOT,
                    "P3 PyTorch eager train step        %8.1f ms  %7.1f images/s  "
                            + "(torch %s, %d threads)  ratio DL4J/PyTorch time %.2f",
                    torch[0],
                    batch * 1000 / torch[0],
                    "1.13",
                    (int) torch[1],
                    dl4jStep / torch[0]));
        }

        try (SparkSession spark = SparkSessions.getOrCreate("local[2]", "distillery-benchmark")) {
            Path features = work.resolve("features");
            extract.extract(spark, input, teacher, features, "fp16", true, 0);
            List<Row> rows = FeatureDataset.open(spark, features.toString(), false)
                    .rows()
                    .select(FeatureColumns.PIXELS, FeatureColumns.TARGET)
                    .collectAsList();
            TargetRecipe recipe = TargetRecipe.defaults(student.depth());
            int targetDim = teacherConfig.embedDim();
            List<INDArray[]> cached = batches(rows, student, teacherConfig);

            ComputationGraph single =
                    StudentGraph.create(student, recipe, targetDim, optimization(1000), DataType.FLOAT);
            single.fit(new INDArray[] {cached.get(0)[0]}, new INDArray[] {cached.get(0)[1]}); // warm-up
            long t0 = System.nanoTime();
            for (INDArray[] b : cached) {
                single.fit(new INDArray[] {b[0]}, new INDArray[] {b[1]});
            }
            double cachedSeconds = (System.nanoTime() - t0) / 1e9;
            double singleRate = rows.size() / cachedSeconds;

            Encoder teacherModel = EncoderLoader.load(teacherConfig, teacher.resolve("weights.safetensors"));
            TargetRecipe teacherRecipe = TargetRecipe.defaults(teacherConfig.depth());
            ComputationGraph online =
                    StudentGraph.create(student, recipe, targetDim, optimization(1000), DataType.FLOAT);
            online.fit(new INDArray[] {cached.get(0)[0]}, new INDArray[] {cached.get(0)[1]}); // warm-up
            t0 = System.nanoTime();
            for (INDArray[] b : cached) {
                INDArray targets =
                        ContextualizedTargets.compute(teacherModel.forward(b[2]).ffnBranches(), teacherRecipe);
                online.fit(new INDArray[] {b[0]}, new INDArray[] {targets.reshape(targets.size(0), -1)});
            }
            double onlineSeconds = (System.nanoTime() - t0) / 1e9;

            int iterations = 2 * (int) Math.ceil(rows.size() / (2.0 * 16)); // one epoch: 2 workers x batch 16
            TrainSummary warm = TrainJob.run(spark, settings(features, work.resolve("run-warmup"), 8), false);
            TrainSummary epoch = TrainJob.run(spark, settings(features, work.resolve("run"), iterations), false);
            double sparkRate = (epoch.rounds() * 2 * 16 * 2) / epoch.wallSeconds();
            table.add(String.format(Locale.ROOT, "P4 single-process DL4J fit        %8.1f images/s", singleRate));
            table.add(String.format(
                    Locale.ROOT,
                    "P4 Spark parameter averaging      %8.1f images/s  (local[2], 2 workers x "
                            + "batch 16, averaging every 2)  ratio %.2f",
                    sparkRate,
                    sparkRate / singleRate));
            table.add(String.format(Locale.ROOT, "P5 epoch, cached targets          %8.1f s", cachedSeconds));
            table.add(String.format(
                    Locale.ROOT,
                    "P5 epoch, teacher online          %8.1f s  ratio online/cached %.2f",
                    onlineSeconds,
                    onlineSeconds / cachedSeconds));
            table.add(String.format(Locale.ROOT, "(warm-up train run: %d iterations)", warm.iteration()));
        }
        return table;
    }

    private Optimization optimization(int iterations) {
        return new Optimization(1e-4, 1e-6, 10, iterations, 0.05, 0.9, 0.95, 4.0, 0);
    }

    private TrainSettings settings(Path features, Path run, int iterations) {
        List<String> o = List.of(
                "dataset=\"" + features + "\"",
                "run-dir=\"" + run + "\"",
                "student.model=\"" + work.resolve("student.json") + "\"",
                "iterations=" + iterations,
                "parameter-averaging.batch-size-per-worker=16",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=100000");
        return TrainSettings.from(
                io.distillery.config.JobConfigLoader.load(null, o, "distillery.train"), "distillery.train");
    }

    /** [student pixels, cached target, teacher pixels] per batch; teacher and student share size and normalisation. */
    private List<INDArray[]> batches(List<Row> rows, ModelConfig student, ModelConfig teacher) throws IOException {
        new ObjectMapper()
                .writeValue(work.resolve("student.json").toFile(), io.distillery.model.ModelConfigs.toJsonMap(student));
        List<INDArray[]> out = new ArrayList<>();
        int width = teacher.numPatches() * teacher.embedDim();
        for (int i = 0; i < rows.size(); i += batch) {
            List<Row> chunk = rows.subList(i, Math.min(rows.size(), i + batch));
            List<byte[]> pixels = new ArrayList<>();
            float[] targets = new float[chunk.size() * width];
            for (int r = 0; r < chunk.size(); r++) {
                pixels.add(chunk.get(r).getAs(FeatureColumns.PIXELS));
                TensorPacking.unpack(
                        chunk.get(r).getAs(FeatureColumns.TARGET), TensorDType.FP16, targets, r * width, width);
            }
            INDArray images = PixelBatch.toImages(pixels, student.imgSize(), MEAN, STD, r -> "row " + r);
            out.add(new INDArray[] {
                images, Nd4j.create(targets, new long[] {chunk.size(), width}, DataType.FLOAT), images
            });
        }
        return out;
    }

    private double dl4jStepMillis(ModelConfig student) {
        ComputationGraph net = StudentGraph.create(
                student,
                TargetRecipe.defaults(student.depth()),
                student.embedDim(),
                optimization(1000),
                DataType.FLOAT);
        Nd4j.getRandom().setSeed(Nd4jSeed.of(0));
        INDArray images = Nd4j.randn(DataType.FLOAT, batch, 3, student.imgSize(), student.imgSize());
        INDArray target = Nd4j.randn(DataType.FLOAT, batch, (long) student.numPatches() * student.embedDim());
        for (int i = 0; i < 3; i++) {
            net.fit(new INDArray[] {images}, new INDArray[] {target});
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            net.fit(new INDArray[] {images}, new INDArray[] {target});
            times.add((System.nanoTime() - t) / 1e6);
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    /**
     * [median ms per step, threads] from bench/torch_student_step.py, or null without PyTorch. PyTorch gets the
     * DL4J side's thread count (OMP_NUM_THREADS, default 1) for its own pool and for OpenBLAS's: P3 once ran it
     * with 2 intra-op threads against DL4J's 1.
     */
    private double[] torchStepMillis(ModelConfig s) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("distillery.root", "."), "bench", "torch_student_step.py");
        int threads = dl4jThreads();
        ProcessBuilder pb = new ProcessBuilder(
                        python,
                        script.toString(),
                        "--img",
                        "" + s.imgSize(),
                        "--patch",
                        "" + s.patchSize(),
                        "--dim",
                        "" + s.embedDim(),
                        "--depth",
                        "" + s.depth(),
                        "--heads",
                        "" + s.numHeads(),
                        "--batch",
                        "" + batch,
                        "--threads",
                        "" + threads)
                .redirectErrorStream(true);
        for (String variable : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
            pb.environment().put(variable, Integer.toString(threads));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            return null;
        }
        String last = output.strip().lines().reduce((a, b) -> b).orElse("{}");
        JsonNode json = new ObjectMapper().readTree(last);
        return new double[] {json.path("ms_per_step").asDouble(), threads};
    }

    private static int dl4jThreads() {
        try {
            return Math.max(
                    1,
                    Integer.parseInt(
                            System.getenv().getOrDefault("OMP_NUM_THREADS", "1").trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
