package io.distillery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.Nd4jSeed;
import io.distillery.student.Optimization;
import io.distillery.student.StudentGraph;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One DL4J measurement of {@code distillery benchmark engine}, run in a child JVM so that ND4J starts with the
 * child's {@code OMP_NUM_THREADS} (it reads it once, at load time). Random weights (fixed seed), random inputs;
 * warm-up iterations, then the median of the timed ones (at least {@code iterations}, and more until {@code
 * min-seconds} of timed work: a 300 ms step timed 5 times is at the mercy of one slow second). Prints one JSON line
 * last. Usage: {@code EngineProbe <row id> <iterations> <warm-up iterations> [<min-seconds>]}.
 */
public final class EngineProbe {
    private EngineProbe() {}

    public static void main(String[] args) throws Exception {
        EngineRow row = EngineRow.fromId(args[0]);
        int iterations = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        double minSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        Runnable step = row.train() ? studentStep(row) : teacherPass(row);
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        List<Double> millis = new ArrayList<>();
        double timedMillis = 0;
        while (millis.size() < iterations || timedMillis < minSeconds * 1000) {
            long t = System.nanoTime();
            step.run();
            double ms = (System.nanoTime() - t) / 1e6;
            millis.add(ms);
            timedMillis += ms;
        }
        List<Double> sorted = new ArrayList<>(millis);
        sorted.sort(Double::compare);
        double median = sorted.get(sorted.size() / 2);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("row", row.id());
        out.put("ms_per_iter", median);
        out.put("images_per_second", row.batch() * 1000 / median);
        out.put("times_ms", millis);
        out.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        out.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        out.put("engine", System.getProperty("distillery.engine"));
        out.put("vm_hwm_kib", ProcStatus.peakRssKib());
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    private static INDArray images(ModelConfig c, int batch) {
        Nd4j.getRandom().setSeed(Nd4jSeed.of(1));
        return Nd4j.randn(DataType.FLOAT, batch, c.inChans(), c.imgSize(), c.imgSize());
    }

    /** What extract's TeacherRunner does per batch: forward, targets from every block's FFN branch, a flat copy. */
    private static Runnable teacherPass(EngineRow row) {
        ModelConfig c = row.config();
        Encoder teacher = new Encoder(c, EncoderGraph.create(c, 7, DataType.FLOAT), null);
        TargetRecipe recipe = TargetRecipe.defaults(c.depth());
        INDArray batch = images(c, row.batch());
        return () -> {
            try (EncoderActivations acts = teacher.forward(batch)) { // freed after use, as TeacherRunner does
                ContextualizedTargets.computeFlat(acts.ffnBranches(), recipe);
            }
        };
    }

    /** One fit of the train job's student graph (default optimiser settings, targets averaged over every block). */
    private static Runnable studentStep(EngineRow row) {
        ModelConfig c = row.config();
        Optimization optimization = new Optimization(5e-4, 1e-6, 100, 100_000, 0.05, 0.9, 0.95, 4.0, 0);
        ComputationGraph net =
                StudentGraph.create(c, TargetRecipe.defaults(c.depth()), row.targetDim(), optimization, DataType.FLOAT);
        INDArray images = images(c, row.batch());
        INDArray targets = Nd4j.randn(DataType.FLOAT, row.batch(), (long) c.numPatches() * row.targetDim());
        MultiDataSet data = new MultiDataSet(new INDArray[] {images}, new INDArray[] {targets});
        return () -> net.fit(data);
    }
}
