package io.distillery.train;

import io.distillery.masking.MaskInput;
import io.distillery.model.layers.MaskedTokenSelect;
import io.distillery.student.MaskedStudentGraph;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A masked student's batch as it travels (exported to disk by dl4j-spark, shipped, prefetched): each row's pixels
 * and full target once, next to the masks of its K clones, instead of K copies of both. The worker expands it just
 * before the step ({@link #expand}), so K clones cost one row's read, decode, export and transfer, which is what
 * makes them cheaper than K epochs.
 *
 * <pre>
 *   features 0   mask input [n, T + 2]   n = rows x clones, each row's clones in a row (the examples dl4j-spark counts)
 *   features 1   pixels [rows, C, H, W]
 *   labels 0     full target [rows, (skip + T) * D_t] as stored (skip = leading non-patch tokens)
 * </pre>
 *
 * The mask input goes first because dl4j-spark's exporter counts examples (and sizes its minibatches) by the first
 * feature array; the batcher makes every batch exactly one minibatch, so the exporter never splits one (its split is
 * per example of every array, which would tear rows from their clones) and only merges a partition's last partial
 * batch with nothing.
 */
final class CompactMaskedBatch {
    private CompactMaskedBatch() {}

    static MultiDataSet of(INDArray maskInput, INDArray pixels, INDArray fullTargets) {
        if (maskInput.size(0) % pixels.size(0) != 0 || fullTargets.size(0) != pixels.size(0)) {
            throw new IllegalArgumentException("a compact masked batch needs rows x clones mask rows and one target"
                    + " per row: masks " + maskInput.size(0) + ", pixels " + pixels.size(0) + ", targets "
                    + fullTargets.size(0));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {maskInput, pixels}, new INDArray[] {fullTargets});
    }

    /** Whether {@code ds} is compact: the mask input (rank 2) first, the pixels (rank 4) second. */
    static boolean isCompact(MultiDataSet ds) {
        return ds.numFeatureArrays() == 2
                && ds.getFeatures(0).rank() == 2
                && ds.getFeatures(1).rank() == 4;
    }

    /**
     * The graph's batch: pixels [n, C, H, W] (each row's repeated for its clones), the mask input [n, T + 2] and
     * labels [n, M * D_t], the row's target at each clone's masked tokens in ascending order (where the graph
     * gathers its predictions).
     *
     * @param predictions the masked graph's {@link MaskedStudentGraph#PREDICTIONS} layer (gives T, K and D_t)
     */
    static MultiDataSet expand(MultiDataSet compact, MaskedTokenSelect predictions) {
        INDArray masks = compact.getFeatures(0);
        INDArray pixels = compact.getFeatures(1);
        INDArray full = compact.getLabels(0);
        int patches = predictions.getPatches();
        int kept = predictions.getKept();
        int masked = patches - kept;
        int dt = predictions.getDim();
        int n = (int) masks.size(0);
        int rows = (int) pixels.size(0);
        int clones = n / rows;
        long fullWidth = full.size(1);
        if (masks.size(1) != MaskInput.width(patches) || fullWidth % dt != 0 || fullWidth / dt < patches) {
            throw new IllegalArgumentException("compact masked batch: mask rows of " + masks.size(1) + " values and"
                    + " targets of " + fullWidth + " values do not fit a graph masking " + masked + " of " + patches
                    + " patches with " + dt + "-wide targets");
        }
        int skip = (int) (fullWidth / dt) - patches;
        float[] maskValues = masks.castTo(DataType.FLOAT).data().asFloat();
        float[] targetValues = full.castTo(DataType.FLOAT).data().asFloat();
        float[] pixelValues = pixels.castTo(DataType.FLOAT).data().asFloat();
        int pixelWidth = pixelValues.length / rows;
        int maskWidth = MaskInput.width(patches);
        float[] labels = new float[n * masked * dt];
        float[] images = new float[n * pixelWidth];
        for (int e = 0; e < n; e++) {
            int row = e / clones;
            System.arraycopy(pixelValues, row * pixelWidth, images, e * pixelWidth, pixelWidth);
            for (int j = 0; j < masked; j++) {
                int token = skip + (int) maskValues[e * maskWidth + kept + j];
                System.arraycopy(
                        targetValues, (int) (row * fullWidth + (long) token * dt), labels, (e * masked + j) * dt, dt);
            }
        }
        long[] imageShape = pixels.shape().clone();
        imageShape[0] = n;
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {Nd4j.create(images, imageShape, DataType.FLOAT), masks}, new INDArray[] {
                    Nd4j.create(labels, new long[] {n, (long) masked * dt}, DataType.FLOAT)
                });
    }

    /** The predictions layer of a masked student graph, or null for any other graph. */
    static MaskedTokenSelect predictionsOf(ComputationGraph graph) {
        GraphVertex vertex = graph.getConfiguration().getVertices().get(MaskedStudentGraph.PREDICTIONS);
        return vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof MaskedTokenSelect select
                ? select
                : null;
    }
}
