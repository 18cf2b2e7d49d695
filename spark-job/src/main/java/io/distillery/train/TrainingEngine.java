package io.distillery.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The one seam between Distillery and a distributed training library (dl4j-spark 1.0.0-M2 is its last release;
 * replacing it means implementing this interface). The network is the driver's copy, updated after every
 * synchronisation round (parameters, updater state, iteration counter).
 */
public interface TrainingEngine extends AutoCloseable {

    /**
     * One pass over {@code batches}, calling {@code listener} on the driver after every synchronisation round.
     * Returns at the end of the pass, or early when the listener asks to stop.
     */
    void fitEpoch(JavaRDD<MultiDataSet> batches, RoundListener listener);

    /** The driver's current model. */
    ComputationGraph network();

    /** Removes the engine's temporary files. */
    @Override
    void close();

    /** Driver-side callback after each round. */
    @FunctionalInterface
    interface RoundListener {
        /**
         * @param score the mean score the workers reported for the round (DL4J: loss + regularisation term)
         * @return false to stop training now
         */
        boolean afterRound(ComputationGraph network, double score);
    }
}
