package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.model.bert.BertOutputs;
import io.distillery.targets.MaskedTargets;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.targets.TextTargets;
import io.distillery.text.Encoding;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs the BERT teacher on a batch of encodings (all padded to the same length) and returns, per packed column, a
 * flat C-order array with one equal-length slice per text ({@link BatchTensors}): {@code input_ids} and
 * {@code attention_mask} as ints, the masked targets ({@link TextTargets}) and the optional raw columns as floats ({@code layer_LL} [T, D],
 * {@code attention_LL} [H, T, T], {@code cls}).
 */
final class TextTeacherRunner {
    private final TextTeacher teacher;
    private final TextTargetRecipe recipe;
    private final ExtractSettings.Store store;

    TextTeacherRunner(TextTeacher teacher, TextTargetRecipe recipe, ExtractSettings.Store store) {
        this.teacher = teacher;
        this.recipe = recipe;
        this.store = store;
    }

    BatchTensors run(List<Encoding> batch) {
        int t = batch.get(0).length();
        int[] ids = new int[batch.size() * t];
        int[] mask = new int[batch.size() * t];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).ids(), 0, ids, i * t, t);
            System.arraycopy(batch.get(i).attentionMask(), 0, mask, i * t, t);
        }
        BatchTensors tensors = new BatchTensors();
        tensors.ints().put(FeatureColumns.INPUT_IDS, ids);
        tensors.ints().put(FeatureColumns.ATTENTION_MASK, mask);
        boolean ffn = recipe.tensor() == TargetTensor.FFN;
        Set<Integer> attention = new TreeSet<>();
        store.attention().forEach(layer -> attention.add(layer - 1)); // BertEncoder counts layers from 0
        try (BertOutputs out = teacher.encoder().forward(batch, attention, ffn)) {
            Map<String, float[]> floats = tensors.floats();
            MaskedTargets targets = TextTargets.compute(perLayer(out, recipe.tensor()), mask, recipe);
            floats.put(FeatureColumns.TARGET, targets.values());
            for (int layer : store.layers()) {
                floats.put(FeatureColumns.layer(layer), flat(out.hiddenStates().get(layer)));
            }
            for (int layer : store.attention()) {
                floats.put(
                        FeatureColumns.attention(layer), flat(out.attentions().get(layer - 1)));
            }
            if (store.cls()) {
                INDArray last = out.lastHiddenState();
                floats.put(
                        FeatureColumns.CLS,
                        flat(last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())));
            }
        }
        return tensors;
    }

    /** The per-layer tensors the recipe names: each layer's FFN branch, or each layer's output (embeddings left out). */
    static List<INDArray> perLayer(BertOutputs out, TargetTensor tensor) {
        List<INDArray> hidden = out.hiddenStates();
        return tensor == TargetTensor.FFN ? out.ffnOutputs() : hidden.subList(1, hidden.size());
    }

    private static float[] flat(INDArray array) {
        INDArray dense = array.dup('c');
        float[] values = dense.data().asFloat();
        dense.close();
        return values;
    }
}
