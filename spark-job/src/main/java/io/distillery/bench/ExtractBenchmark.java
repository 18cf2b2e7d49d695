package io.distillery.bench;

import io.distillery.checkpoint.DType;
import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.image.ImageDecoder;
import io.distillery.image.ImageNormalizer;
import io.distillery.image.RgbImage;
import io.distillery.image.ViewRenderer;
import io.distillery.image.ViewSampler;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.EncoderExport;
import io.distillery.model.EncoderGraph;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.model.PoolingHead;
import io.distillery.spark.SparkSessions;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * P1 (extract job throughput vs a bare in-process teacher loop on the same decoded views) and P6 (Parquet bytes vs
 * raw payload, and fp16/bf16 target error vs fp32), measured in one run and printed as a table.
 * Run: {@code deploy/bin/distillery benchmark extract}.
 */
public final class ExtractBenchmark {
    private final Path work;
    private final int images;
    private final int batch;
    private final ModelConfig teacherConfig;
    /** Spark task slots of the job ({@code local[2]}) and threads of the bare loop it is compared with. */
    private static final int SLOTS = 2;

    private static final int REPEATS = 5;

    public ExtractBenchmark(Path work, int images, int batch, ModelConfig teacherConfig) {
        this.work = work;
        this.images = images;
        this.batch = batch;
        this.teacherConfig = teacherConfig;
    }

    /** A BEiT v2 teacher big enough that the teacher dominates, small enough for a 2-core machine. */
    public static ModelConfig defaultTeacher() {
        return new ModelConfig(
                ModelFamily.BEITV2,
                64,
                8,
                3,
                192,
                6,
                3,
                4.0,
                true,
                1e-6,
                0.1,
                true,
                false,
                new double[] {0.485, 0.456, 0.406},
                new double[] {0.229, 0.224, 0.225},
                0);
    }

    public List<String> run() throws IOException {
        Path input = syntheticImages(work.resolve("images"));
        Path teacher = randomTeacher(work.resolve("teacher"));
        List<String> table = new ArrayList<>();
        table.add(String.format(
                Locale.ROOT,
                "teacher %s; %d images; batch %d; OMP_NUM_THREADS=%s; %d cores",
                teacherConfig,
                images,
                batch,
                System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors()));

        List<INDArray> batches = decodedBatches(input);
        Encoder bareTeacher = EncoderLoader.load(teacherConfig, teacher.resolve("weights.safetensors"));
        try (SparkSession spark = SparkSessions.getOrCreate("local[" + SLOTS + "]", "distillery-benchmark")) {
            // warm-up: JVM, JIT, teacher cache, Spark; the P6 runs warm up too, the P1 figures are taken after them
            extract(spark, input, teacher, work.resolve("warmup"), "fp16", true, 0);
            extract(spark, input, teacher, work.resolve("warmup-1"), "fp16", true, 1);
            Map<String, ExtractSummary> runs = new HashMap<>();
            for (String dtype : new String[] {"fp32", "fp16", "bf16"}) {
                runs.put(dtype, extract(spark, input, teacher, work.resolve("out-" + dtype), dtype, false, 0));
            }
            // P1: bare loop and job alternate, REPEATS times each; medians damp this VM's run-to-run noise
            double[] bareRuns = new double[REPEATS];
            double[] jobRuns = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                bareRuns[r] = bareLoopViewsPerSecond(bareTeacher, batches, SLOTS);
                jobRuns[r] =
                        viewsPerSecond(extract(spark, input, teacher, work.resolve("out-timed-" + r), "fp16", true, 0));
            }
            double bareOne = bareLoopViewsPerSecond(bareTeacher, batches, 1);
            double jobOne =
                    viewsPerSecond(extract(spark, input, teacher, work.resolve("out-copies-1"), "fp16", true, 1));
            double bare = median(bareRuns);
            double job = median(jobRuns);
            // the ratio of each round (bare loop and job back to back) and their median: slow phases of this VM hit
            // both sides of a round alike, so paired ratios vary less than the throughputs themselves
            double[] ratios = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                ratios[r] = jobRuns[r] / bareRuns[r];
            }
            table.add(String.format(
                    Locale.ROOT,
                    "P1 bare teacher loop, %d threads           %8.1f views/s   median of %s",
                    SLOTS,
                    bare,
                    runs(bareRuns)));
            table.add(String.format(
                    Locale.ROOT,
                    "P1 extract job, teacher.copies=0 (1/task) %8.1f views/s   median of %s",
                    job,
                    runs(jobRuns)));
            table.add(String.format(
                    Locale.ROOT,
                    "P1 ratio job / bare loop                  %8.2f          median of the rounds' ratios %s"
                            + " (goal >= 0.90)",
                    median(ratios),
                    runs(ratios, "%.2f")));
            table.add(String.format(Locale.ROOT, "P1 bare teacher loop, 1 thread            %8.1f views/s", bareOne));
            table.add(String.format(
                    Locale.ROOT,
                    "P1 extract job, teacher.copies=1          %8.1f views/s   (one forward pass at a time)",
                    jobOne));
            for (String dtype : new String[] {"fp32", "fp16", "bf16"}) {
                ExtractSummary s = runs.get(dtype);
                long payload = s.rows()
                        * (long) teacherConfig.numPatches()
                        * teacherConfig.embedDim()
                        * TensorDType.fromId(dtype).bytes();
                table.add(String.format(
                        Locale.ROOT,
                        "P6 %-4s parquet/raw payload %8.4f  (%d / %d bytes)%s",
                        dtype,
                        (double) s.dataBytes() / payload,
                        s.dataBytes(),
                        payload,
                        dtype.equals("fp16") ? "  goal <= 1.02" : ""));
            }
            Map<String, float[]> fp32 = targets(spark, work.resolve("out-fp32"), TensorDType.FP32);
            for (String dtype : new String[] {"fp16", "bf16"}) {
                double[] err = error(fp32, targets(spark, work.resolve("out-" + dtype), TensorDType.fromId(dtype)));
                table.add(String.format(
                        Locale.ROOT, "P6 %s target error vs fp32: max abs %.2e, rms %.2e", dtype, err[0], err[1]));
            }
        }
        return table;
    }

    ExtractSummary extract(
            SparkSession spark, Path input, Path teacher, Path out, String dtype, boolean pixels, int copies)
            throws IOException {
        return extract(spark, input, teacher, out, dtype, pixels, copies, Math.max(1, images / 8));
    }

    ExtractSummary extract(
            SparkSession spark,
            Path input,
            Path teacher,
            Path out,
            String dtype,
            boolean pixels,
            int copies,
            int filesPerShard)
            throws IOException {
        List<String> o = List.of(
                "input.format=image-folder",
                "input.path=\"" + input + "\"",
                "input.files-per-shard=" + filesPerShard,
                "output.path=\"" + out + "\"",
                "teacher.model=\"" + teacher.resolve("config.json") + "\"",
                "teacher.checkpoint=\"" + teacher.resolve("weights.safetensors") + "\"",
                "teacher.copies=" + copies,
                "target.dtype=" + dtype,
                "store.pixels=" + pixels,
                "views.random=1",
                "batch-size=" + batch,
                "progress-interval=60s");
        return ExtractJob.run(spark, ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract")));
    }

    /** The job's views (eval + 1 random per image), decoded, rendered and normalised into batches beforehand. */
    private List<INDArray> decodedBatches(Path input) throws IOException {
        ViewSampler sampler = new ViewSampler(teacherConfig.imgSize(), 0.9, 0.08, 1.0, 0.75, 4.0 / 3, true);
        ImageNormalizer normalizer = new ImageNormalizer(teacherConfig.imageMean(), teacherConfig.imageStd());
        List<RgbImage> views = new ArrayList<>();
        try (Stream<Path> files = Files.walk(input)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                RgbImage image = ImageDecoder.decode(file);
                String key = input.relativize(file).toString();
                views.add(ViewRenderer.render(
                        image, sampler.evalView(image.width(), image.height()), teacherConfig.imgSize()));
                views.add(ViewRenderer.render(
                        image, sampler.randomView(0, key, 1, image.width(), image.height()), teacherConfig.imgSize()));
            }
        }
        int size = teacherConfig.imgSize();
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < views.size(); i += batch) {
            List<RgbImage> chunk = views.subList(i, Math.min(views.size(), i + batch));
            float[] data = new float[chunk.size() * 3 * size * size];
            for (int j = 0; j < chunk.size(); j++) {
                normalizer.writeChw(chunk.get(j), data, j * 3 * size * size);
            }
            batches.add(Nd4j.create(data, new long[] {chunk.size(), 3, size, size}, 'c'));
        }
        return batches;
    }

    /**
     * The teacher alone (forward + targets) over ready batches, on {@code threads} threads that each run their own
     * replica on a share of the batches: what the job's task slots could do if decoding, rendering and writing
     * cost nothing.
     */
    private double bareLoopViewsPerSecond(Encoder teacher, List<INDArray> batches, int threads) throws IOException {
        TargetRecipe recipe = TargetRecipe.defaults(teacherConfig.depth());
        List<Encoder> copies = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            copies.add(t == 0 ? teacher : teacher.replica());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            timedPass(pool, copies, batches, recipe); // warm-up: the JIT compiles DL4J's Java side over many passes
            return timedPass(pool, copies, batches, recipe);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("benchmark interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("bare teacher loop failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static double timedPass(
            ExecutorService pool, List<Encoder> copies, List<INDArray> batches, TargetRecipe recipe)
            throws InterruptedException, ExecutionException {
        int threads = copies.size();
        List<Future<Long>> runs = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Encoder copy = copies.get(t);
            int first = t;
            runs.add(pool.submit(() -> {
                long views = 0;
                for (int i = first; i < batches.size(); i += threads) {
                    INDArray b = batches.get(i);
                    try (EncoderActivations acts = copy.forward(b)) { // freed after use, as TeacherRunner does
                        ContextualizedTargets.computeFlat(acts.ffnBranches(), recipe);
                    }
                    views += b.size(0);
                }
                return views;
            }));
        }
        long views = 0;
        for (Future<Long> run : runs) {
            views += run.get();
        }
        return views / ((System.nanoTime() - start) / 1e9);
    }

    private static double viewsPerSecond(ExtractSummary summary) {
        return summary.rows() / summary.seconds();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String runs(double[] values) {
        return runs(values, "%.1f");
    }

    private static String runs(double[] values, String format) {
        return java.util.Arrays.stream(values)
                .mapToObj(v -> String.format(Locale.ROOT, format, v))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static Map<String, float[]> targets(SparkSession spark, Path out, TensorDType dtype) throws IOException {
        Map<String, float[]> map = new HashMap<>();
        for (Row r : FeatureDataset.open(spark, out.toString(), false)
                .rows()
                .select("key", "view", "target")
                .collectAsList()) {
            map.put(r.getString(0) + "/" + r.getInt(1), TensorPacking.unpack((byte[]) r.get(2), dtype));
        }
        return map;
    }

    private static double[] error(Map<String, float[]> reference, Map<String, float[]> other) {
        double max = 0;
        double sum = 0;
        long n = 0;
        for (Map.Entry<String, float[]> e : reference.entrySet()) {
            float[] a = e.getValue();
            float[] b = other.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                max = Math.max(max, d);
                sum += d * d;
                n++;
            }
        }
        return new double[] {max, Math.sqrt(sum / n)};
    }

    Path syntheticImages(Path dir) throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < images; i++) {
            Path classDir = Files.createDirectories(dir.resolve("class" + (i % 4)));
            int w = 80 + random.nextInt(64);
            int h = 80 + random.nextInt(64);
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int base = random.nextInt(1 << 24);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    image.setRGB(x, y, base + (x * 3 << 8) + y * 2 + random.nextInt(16));
                }
            }
            ImageIO.write(
                    image,
                    "png",
                    classDir.resolve(String.format("img%05d.png", i)).toFile());
        }
        return dir;
    }

    Path randomTeacher(Path dir) throws IOException {
        Files.createDirectories(dir);
        Nd4j.getRandom().setSeed(7);
        var graph = EncoderGraph.create(teacherConfig, 7, DataType.FLOAT);
        int d = teacherConfig.embedDim();
        Encoder encoder = new Encoder(
                teacherConfig,
                graph,
                new PoolingHead(
                        Nd4j.ones(DataType.FLOAT, d),
                        Nd4j.zeros(DataType.FLOAT, d),
                        null,
                        null,
                        teacherConfig.layerNormEps()));
        EncoderExport.write(encoder, dir.resolve("weights.safetensors"), DType.F32, Map.of());
        new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValue(dir.resolve("config.json").toFile(), ModelConfigs.toJsonMap(teacherConfig));
        return dir;
    }
}
