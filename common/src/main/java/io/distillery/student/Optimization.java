package io.distillery.student;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * AdamW as DL4J can express it: Adam on the loss gradient plus decoupled weight decay applied after the update
 * ({@code WeightDecay} is a POST_UPDATER regulariser scaled by the scheduled learning rate), not applied to biases
 * and norm weights (registered as bias parameters). Clipping is DL4J's per-layer L2 norm clipping: DL4J has no global
 * norm clip, so the threshold bounds each layer's gradient norm rather than the whole model's.
 *
 * @param learningRate peak learning rate after warm-up
 * @param minLearningRate learning rate reached at the end of the cosine decay
 * @param warmupIterations linear warm-up length
 * @param totalIterations schedule length (the job's iteration budget)
 * @param weightDecay decoupled decay coefficient (AdamW's lambda)
 * @param beta1 Adam beta1
 * @param beta2 Adam beta2 (data2vec uses 0.95)
 * @param clipNorm per-layer gradient L2 norm threshold; 0 disables clipping
 * @param seed parameter-init and dropout seed
 */
public record Optimization(
        double learningRate,
        double minLearningRate,
        int warmupIterations,
        int totalIterations,
        double weightDecay,
        double beta1,
        double beta2,
        double clipNorm,
        long seed) {

    public Optimization {
        if (!(learningRate > 0)
                || minLearningRate < 0
                || weightDecay < 0
                || !(beta1 >= 0 && beta1 < 1)
                || !(beta2 >= 0 && beta2 < 1)
                || clipNorm < 0) {
            throw new IllegalArgumentException("invalid optimiser settings: " + this);
        }
    }

    public WarmupCosineSchedule schedule() {
        return new WarmupCosineSchedule(
                learningRate, minLearningRate, Math.min(warmupIterations, totalIterations), totalIterations);
    }

    private Adam adam() {
        Adam adam = new Adam(learningRate, beta1, beta2, 1e-8);
        adam.setLearningRateSchedule(schedule());
        return adam;
    }

    /**
     * Puts this schedule into every Adam updater of {@code network} in place (the running updaters read it from
     * the same objects). A resumed run uses it so that a changed iteration budget or learning rate takes effect;
     * the other optimiser settings stay as the checkpoint saved them.
     */
    public void applySchedule(ComputationGraph network) {
        for (org.deeplearning4j.nn.api.Layer layer : network.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            if (conf instanceof BaseLayer base) {
                setSchedule(base.getIUpdater());
                setSchedule(base.getBiasUpdater());
            } else if (conf instanceof AbstractSameDiffLayer sameDiff) {
                setSchedule(sameDiff.getUpdater());
                setSchedule(sameDiff.getBiasUpdater());
            }
        }
    }

    private void setSchedule(IUpdater updater) {
        if (updater instanceof Adam adam) {
            adam.setLearningRate(learningRate);
            adam.setLearningRateSchedule(schedule());
        }
    }

    /** A graph builder carrying the updater, decay, clipping, seed and data type. */
    public NeuralNetConfiguration.Builder builder(DataType dataType) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(io.distillery.model.Nd4jSeed.of(seed))
                .dataType(dataType)
                .updater(adam())
                .weightDecay(weightDecay, true)
                .weightDecayBias(0, true);
        if (clipNorm > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(clipNorm);
        }
        return b;
    }
}
