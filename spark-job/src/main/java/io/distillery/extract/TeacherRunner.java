package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.image.ImageNormalizer;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.ModelConfig;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs the teacher on a batch of rendered views and returns, per packed column, a flat C-order float array with
 * one equal-length slice per view. The teacher's graph is not thread-safe, so forward passes are serialised per
 * JVM (ND4J uses every core inside one pass).
 */
final class TeacherRunner {
    private final Encoder teacher;
    private final TargetRecipe recipe;
    private final ExtractSettings settings;
    private final ImageNormalizer normalizer;

    TeacherRunner(Encoder teacher, TargetRecipe recipe, ExtractSettings settings) {
        this.teacher = teacher;
        this.recipe = recipe;
        this.settings = settings;
        ModelConfig c = teacher.config();
        this.normalizer = new ImageNormalizer(c.imageMean(), c.imageStd());
    }

    /** Column name to (flat data, per-view length), in a stable order. */
    Map<String, float[]> run(List<PendingView> views) {
        ModelConfig c = teacher.config();
        int size = c.imgSize();
        int perImage = 3 * size * size;
        float[] pixels = new float[views.size() * perImage];
        for (int i = 0; i < views.size(); i++) {
            normalizer.writeChw(views.get(i).pixels(), pixels, i * perImage);
        }
        INDArray batch = Nd4j.create(pixels, new long[] {views.size(), 3, size, size}, 'c');

        Map<String, float[]> out = new LinkedHashMap<>();
        synchronized (teacher) {
            EncoderActivations acts = teacher.forward(batch);
            List<INDArray> perBlock = recipe.tensor() == TargetTensor.FFN ? acts.ffnBranches() : acts.blockOutputs();
            out.put(FeatureColumns.TARGET, flat(ContextualizedTargets.compute(perBlock, recipe)));
            for (int layer : settings.storeLayers()) {
                out.put(FeatureColumns.layer(layer), flat(acts.blockOutputs().get(layer - 1)));
            }
            INDArray last = acts.lastBlockOutput();
            if (settings.storeCls()) {
                out.put(FeatureColumns.CLS, flat(last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())));
            }
            if (settings.storePooled() || settings.storeLogits()) {
                INDArray pooled = teacher.head().pooled(last);
                if (settings.storePooled()) {
                    out.put(FeatureColumns.POOLED, flat(pooled));
                }
                if (settings.storeLogits()) {
                    out.put(FeatureColumns.LOGITS, flat(teacher.head().logits(pooled)));
                }
            }
        }
        return out;
    }

    private static float[] flat(INDArray array) {
        return array.dup('c').data().asFloat();
    }
}
