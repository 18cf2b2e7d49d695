package io.distillery.bench;

import io.distillery.config.JobConfigLoader;
import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskKind;
import io.distillery.masking.MaskSeeds;
import io.distillery.masking.MaskSettings;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.model.Nd4jSeed;
import io.distillery.model.VertexNames;
import io.distillery.model.kernels.MaskedTokensMath.Op;
import io.distillery.model.layers.MaskedTokenSelect;
import io.distillery.spark.SparkSessions;
import io.distillery.student.MaskedStudentGraph;
import io.distillery.student.Optimization;
import io.distillery.student.StudentGraph;
import io.distillery.student.StudentMasking;
import io.distillery.student.StudentObjective;
import io.distillery.targets.TargetRecipe;
import io.distillery.train.TrainJob;
import io.distillery.train.TrainSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

/**
 * The masked student's figures (docs/benchmarks.md, "Masked student"), measured in one run and printed as a table.
 * M1: the seconds per row-clone of a masked student (data2vec 2.0's inverse block masks at ratio 0.8) against the
 * unmasked student at the same batch, for the encoder alone (patch embedding and blocks with an L2 loss on their
 * output tokens: what the masks shrink) and for the whole training step (the masked step adds the decoder; the
 * unmasked one the target normalisations). M2: K masks (clones) of every row in one epoch against one mask per row
 * over K epochs, through the train job (Spark local[2], parameter averaging): the same steps on the same number of
 * examples, but the clones read, decode and ship each row once instead of K times.
 * Run: {@code deploy/bin/distillery benchmark mask}.
 */
public final class MaskBenchmark {
    static final double RATIO = 0.8;
    private static final long SEED = 0;
    private final Path work;
    private final int images;
    private final int clones;
    private final List<String> models;

    /** A model of M1 and its batch of rows. */
    record StepRow(String id, ModelConfig config, int batch) {}

    public MaskBenchmark(Path work, int images, int clones, List<String> models) {
        this.work = work;
        this.images = images;
        this.clones = clones;
        this.models = models;
    }

    /**
     * M1's models: the Fashion-MNIST KD student (conf/models/fmnist-kd-student.json), P3's small student and the
     * engine suite's 6-block data2vec 2.0 base student.
     */
    static List<StepRow> stepRows() {
        return List.of(
                new StepRow(
                        "fmnist",
                        new ModelConfig(
                                ModelFamily.DATA2VEC2,
                                28,
                                4,
                                3,
                                64,
                                2,
                                4,
                                4.0,
                                true,
                                1e-6,
                                0.0,
                                false,
                                false,
                                new double[] {0.286, 0.286, 0.286},
                                new double[] {0.353, 0.353, 0.353},
                                0),
                        32),
                new StepRow("small", TrainBenchmark.student(), 32),
                new StepRow(
                        "base",
                        ModelConfigs.presets().get("data2vec2_base_patch16_224").withDepth(6),
                        8));
    }

    static StepRow stepRow(String id) {
        return stepRows().stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown mask benchmark model '" + id + "' (known: "
                        + stepRows().stream().map(StepRow::id).toList() + ")"));
    }

    public List<String> run() throws Exception {
        List<String> table = new ArrayList<>();
        table.add(String.format(
                Locale.ROOT,
                "mask ratio %.1f (inverse-block, block 3); single process for M1; OMP_NUM_THREADS=%s; %d cores",
                RATIO,
                System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors()));
        for (String id : models) {
            StepRow row = stepRow(id);
            table.addAll(stepFigures(row));
        }
        table.addAll(clonesVersusEpochs());
        return table;
    }

    private List<String> stepFigures(StepRow row) {
        ModelConfig c = row.config();
        MaskGenerator masks = masking(1).generator(c);
        int b = row.batch();
        INDArray images = randomImages(c, b);
        INDArray maskInput = maskInput(masks, b);
        ComputationGraph plainEncoder = encoderOnly(c, null);
        ComputationGraph maskedEncoder = encoderOnly(c, masks);
        double encoderPlain = medianStepMillis(
                plainEncoder, new INDArray[] {images}, Nd4j.randn(DataType.FLOAT, b, (long) c.tokens() * c.embedDim()));
        double encoderMasked = medianStepMillis(
                maskedEncoder,
                new INDArray[] {images, maskInput},
                Nd4j.randn(DataType.FLOAT, b, (long) (masks.keptCount() + 1) * c.embedDim()));
        ComputationGraph plainStudent =
                StudentGraph.create(c, TargetRecipe.defaults(c.depth()), c.embedDim(), optimization(), DataType.FLOAT);
        ComputationGraph maskedStudent = StudentGraph.create(
                c,
                TargetRecipe.defaults(c.depth()),
                c.embedDim(),
                optimization(),
                DataType.FLOAT,
                StudentObjective.d2vOnly(),
                masking(1));
        double stepPlain = medianStepMillis(
                plainStudent,
                new INDArray[] {images},
                Nd4j.randn(DataType.FLOAT, b, (long) c.numPatches() * c.embedDim()));
        double stepMasked = medianStepMillis(
                maskedStudent,
                new INDArray[] {images, maskInput},
                Nd4j.randn(DataType.FLOAT, b, (long) masks.maskedCount() * c.embedDim()));
        String shape = String.format(
                Locale.ROOT,
                "%s (%d patches, %d kept + CLS, dim %d, %d blocks), batch %d",
                row.id(),
                c.numPatches(),
                masks.keptCount(),
                c.embedDim(),
                c.depth(),
                b);
        return List.of(
                "M1 " + shape,
                perRowClone("   encoder, unmasked", encoderPlain, b, 0),
                perRowClone("   encoder, masked", encoderMasked, b, encoderPlain),
                perRowClone("   whole step, unmasked", stepPlain, b, 0),
                perRowClone("   whole step, masked (+ decoder)", stepMasked, b, stepPlain));
    }

    private static String perRowClone(String label, double millis, int batch, double unmaskedMillis) {
        String line = String.format(
                Locale.ROOT, "%-36s %8.1f ms per step  %7.2f ms per row-clone", label, millis, millis / batch);
        return unmaskedMillis > 0
                ? line + String.format(Locale.ROOT, "  %.2fx fewer s per row-clone", unmaskedMillis / millis)
                : line;
    }

    /** M2: one epoch of K clones against K epochs of one clone, same iterations and examples per step. */
    private List<String> clonesVersusEpochs() throws Exception {
        ExtractBenchmark extract = new ExtractBenchmark(work, images, 32, ExtractBenchmark.defaultTeacher());
        ModelConfig student = TrainBenchmark.student();
        Path studentJson = work.resolve("student.json");
        new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValue(studentJson.toFile(), ModelConfigs.toJsonMap(student));
        try (SparkSession spark = SparkSessions.getOrCreate("local[2]", "distillery-benchmark")) {
            Path features = work.resolve("features");
            extract.extract(
                    spark,
                    extract.syntheticImages(work.resolve("images")),
                    extract.randomTeacher(work.resolve("teacher")),
                    features,
                    "fp16",
                    true,
                    0);
            long rows = 2L * images; // eval view + 1 random view per image
            int examplesPerWorker = 4 * clones;
            int iterations = (int) Math.ceil(rows / (2.0 * examplesPerWorker / clones));
            TrainJob.run(spark, settings(features, studentJson, "run-warmup", 1, examplesPerWorker, 8), false);
            // A B B A: each arm's faster run of two, so neither gains from running second (JIT, page cache)
            double clonedSeconds = Double.MAX_VALUE;
            double epochsSeconds = Double.MAX_VALUE;
            for (String arm : new String[] {"clones-1", "epochs-1", "epochs-2", "clones-2"}) {
                int armClones = arm.startsWith("clones") ? clones : 1;
                double wall = TrainJob.run(
                                spark,
                                settings(features, studentJson, "run-" + arm, armClones, examplesPerWorker, iterations),
                                false)
                        .wallSeconds();
                if (arm.startsWith("epochs")) {
                    epochsSeconds = Math.min(epochsSeconds, wall);
                } else {
                    clonedSeconds = Math.min(clonedSeconds, wall);
                }
            }
            double examples = (double) iterations * 2 * examplesPerWorker;
            return List.of(
                    String.format(
                            Locale.ROOT,
                            "M2 train job, small student, %d rows, local[2], 2 workers x %d examples, averaging"
                                    + " every 2, %d iterations (%.0f row-clones) each; the faster of two runs per arm, run A B B A",
                            rows,
                            examplesPerWorker,
                            iterations,
                            examples),
                    String.format(
                            Locale.ROOT,
                            "   %d clones x 1 epoch    %8.1f s  %7.1f row-clones/s  %6.0f rows read",
                            clones,
                            clonedSeconds,
                            examples / clonedSeconds,
                            examples / clones),
                    String.format(
                            Locale.ROOT,
                            "   1 clone x %d epochs    %8.1f s  %7.1f row-clones/s  %6.0f rows read"
                                    + "  ratio epochs/clones time %.2f",
                            clones,
                            epochsSeconds,
                            examples / epochsSeconds,
                            examples,
                            epochsSeconds / clonedSeconds));
        }
    }

    private TrainSettings settings(
            Path features, Path studentJson, String run, int maskClones, int examplesPerWorker, int iterations) {
        List<String> o = List.of(
                "dataset=\"" + features + "\"",
                "run-dir=\"" + work.resolve(run) + "\"",
                "student.model=\"" + studentJson + "\"",
                "student.mask.enabled=true",
                "student.mask.ratio=" + RATIO,
                "student.mask.clones=" + maskClones,
                "iterations=" + iterations,
                "parameter-averaging.batch-size-per-worker=" + examplesPerWorker,
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=100000");
        return TrainSettings.from(JobConfigLoader.load(null, o, "distillery.train"), "distillery.train");
    }

    static StudentMasking masking(int maskClones) {
        StudentMasking d2v = StudentMasking.data2vec2Images();
        return new StudentMasking(
                new MaskSettings(RATIO, MaskKind.INVERSE_BLOCK, 3, 0.07, maskClones),
                d2v.decoderDim(),
                d2v.decoderLayers(),
                d2v.decoderKernel(),
                d2v.decoderGroups(),
                d2v.noiseStd());
    }

    /** Patch embedding and blocks, with (masks given) or without the kept-token selection, and an L2 loss. */
    static ComputationGraph encoderOnly(ModelConfig c, MaskGenerator masks) {
        ComputationGraphConfiguration.GraphBuilder g =
                optimization().builder(DataType.FLOAT).graphBuilder();
        InputType image = InputType.convolutional(c.imgSize(), c.imgSize(), c.inChans());
        String last;
        if (masks == null) {
            g.addInputs(VertexNames.INPUT).setInputTypes(image);
            g.addLayer(VertexNames.EMBED, EncoderGraph.patchEmbedding(c), VertexNames.INPUT);
            last = EncoderGraph.addBlocks(g, c, c.tokens(), VertexNames.EMBED);
        } else {
            g.addInputs(VertexNames.INPUT, MaskedStudentGraph.MASK_INPUT)
                    .setInputTypes(image, InputType.feedForward(MaskInput.width(masks.tokens())));
            g.addLayer(VertexNames.EMBED, EncoderGraph.patchEmbedding(c), VertexNames.INPUT);
            String merged = MaskedStudentGraph.VISIBLE + ".in";
            g.addVertex(merged, new MergeVertex(), VertexNames.EMBED, MaskedStudentGraph.MASK_INPUT);
            g.addLayer(
                    MaskedStudentGraph.VISIBLE,
                    new MaskedTokenSelect(Op.ENCODER_INPUT, masks.tokens(), masks.keptCount(), c.embedDim(), 0),
                    merged);
            last = EncoderGraph.addBlocks(g, c, masks.keptCount() + 1, MaskedStudentGraph.VISIBLE);
        }
        g.addLayer(
                StudentGraph.LOSS,
                new LossLayer.Builder()
                        .lossFunction(new LossL2())
                        .activation(Activation.IDENTITY)
                        .build(),
                last);
        g.setOutputs(StudentGraph.LOSS);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    private static INDArray randomImages(ModelConfig c, int batch) {
        Nd4j.getRandom().setSeed(Nd4jSeed.of(SEED));
        return Nd4j.randn(DataType.FLOAT, batch, c.inChans(), c.imgSize(), c.imgSize());
    }

    /** One mask per row, as the train job draws them (clone 0 of row i's key). */
    private static INDArray maskInput(MaskGenerator masks, int batch) {
        int width = MaskInput.width(masks.tokens());
        float[] values = new float[batch * width];
        for (int i = 0; i < batch; i++) {
            String key = "row-" + i;
            MaskInput.write(masks.mask(SEED, key, 0, 0), MaskSeeds.noiseSeed(SEED, key, 0, 0), values, i * width);
        }
        return Nd4j.create(values, new long[] {batch, width}, DataType.FLOAT);
    }

    /** The median of at least 7 timed steps and 3 s, after 3 warm-up steps. */
    private static double medianStepMillis(ComputationGraph net, INDArray[] inputs, INDArray target) {
        INDArray[] labels = {target};
        for (int i = 0; i < 3; i++) {
            net.fit(inputs, labels);
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 7 || System.nanoTime() - start < 3_000_000_000L) {
            long t = System.nanoTime();
            net.fit(inputs, labels);
            times.add((System.nanoTime() - t) / 1e6);
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    private static Optimization optimization() {
        return new Optimization(1e-4, 1e-6, 10, 1000, 0.05, 0.9, 0.95, 4.0, 0);
    }
}
