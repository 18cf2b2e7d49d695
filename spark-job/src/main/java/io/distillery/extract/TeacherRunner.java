package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.image.ImageNormalizer;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.EncoderPool;
import io.distillery.model.ModelConfig;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs the teacher on a batch of rendered views and returns, per packed column, a flat C-order array with one
 * equal-length slice per view ({@link BatchTensors}). A DL4J graph is not thread-safe, so each batch borrows a copy of the teacher
 * from the executor's pool: concurrent tasks run their own replicas on the shared weights.
 */
final class TeacherRunner implements ViewTeacher {
    private final EncoderPool teachers;
    private final TargetRecipe recipe;
    private final ExtractSettings.Store store;
    private final TensorDType dtype;
    private final Set<Integer> attentionBlocks;
    private final ImageNormalizer normalizer;

    /** @param dtype the dataset's tensor dtype (top-k logits are chosen as they round to it) */
    TeacherRunner(EncoderPool teachers, TargetRecipe recipe, ExtractSettings.Store store, TensorDType dtype) {
        this.teachers = teachers;
        this.recipe = recipe;
        this.store = store;
        this.dtype = dtype;
        this.attentionBlocks = store.attentionBlocks();
        ModelConfig c = teachers.config();
        this.normalizer = new ImageNormalizer(c.imageMean(), c.imageStd());
    }

    @Override
    public int imageSize() {
        return teachers.config().imgSize();
    }

    @Override
    public BatchTensors run(List<PendingView> views) throws java.io.InterruptedIOException {
        ModelConfig c = teachers.config();
        int size = c.imgSize();
        int perImage = 3 * size * size;
        float[] pixels = new float[views.size() * perImage];
        for (int i = 0; i < views.size(); i++) {
            normalizer.writeChw(views.get(i).pixels(), pixels, i * perImage);
        }
        INDArray batch = Nd4j.create(pixels, new long[] {views.size(), 3, size, size}, 'c');
        return teachers.apply(teacher -> columns(teacher, batch));
    }

    private BatchTensors columns(Encoder teacher, INDArray batch) {
        try (EncoderActivations acts = teacher.forward(batch, attentionBlocks)) {
            return columns(teacher, acts, (int) batch.size(0));
        }
    }

    private BatchTensors columns(Encoder teacher, EncoderActivations acts, int views) {
        BatchTensors tensors = new BatchTensors();
        Map<String, float[]> out = tensors.floats();
        List<INDArray> perBlock = recipe.tensor() == TargetTensor.FFN ? acts.ffnBranches() : acts.blockOutputs();
        out.put(FeatureColumns.TARGET, ContextualizedTargets.computeFlat(perBlock, recipe));
        for (int layer : store.layers()) {
            out.put(FeatureColumns.layer(layer), flat(acts.blockOutputs().get(layer - 1)));
        }
        for (int block : store.attention()) {
            out.put(FeatureColumns.attention(block), flat(acts.attention().get(block - 1)));
        }
        INDArray last = acts.lastBlockOutput();
        if (store.cls()) {
            out.put(FeatureColumns.CLS, flat(last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())));
        }
        if (store.pooled() || store.logits()) {
            INDArray pooled = teacher.head().pooled(last);
            if (store.pooled()) {
                out.put(FeatureColumns.POOLED, flat(pooled));
            }
            if (store.logits()) {
                int classes = teacher.config().numClasses();
                LogitColumns.put(
                        flat(teacher.head().logits(pooled)), views, classes, store.logitsTopK(), dtype, tensors);
            }
        }
        return tensors;
    }

    private static float[] flat(INDArray array) {
        INDArray dense = array.dup('c');
        float[] out = dense.data().asFloat();
        dense.close(); // now, not at a GC: a batch-sized native copy per column
        return out;
    }
}
