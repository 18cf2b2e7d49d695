package io.distillery.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.util.ExportSupport;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * dl4j-spark synchronous parameter averaging: each worker fits {@code averagingFrequency} minibatches from the
 * broadcast parameters, then parameters (and, optionally, updater state) are averaged with a tree aggregation.
 * With the Export approach the batches are written once to {@code exportDirectory} (a filesystem every executor
 * can read) and reused by every epoch that passes the same RDD.
 */
final class ParameterAveragingEngine implements TrainingEngine {
    private final SparkComputationGraph spark;
    private final RoundNotifyingTrainingMaster master;
    private final JavaSparkContext context;

    ParameterAveragingEngine(
            JavaSparkContext context,
            ComputationGraph network,
            TrainSettings.Averaging a,
            int workers,
            long seed,
            String exportDirectory) {
        this.context = context;
        ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(
                        workers, a.batchSizePerWorker())
                .batchSizePerWorker(a.batchSizePerWorker())
                .averagingFrequency(a.averagingFrequency())
                .workerPrefetchNumBatches(a.prefetchBatches())
                .aggregationDepth(a.aggregationDepth())
                .saveUpdater(a.averageUpdaters())
                .rngSeed(seed)
                .rddTrainingApproach(export(context, a) ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct);
        if (export(context, a)) {
            builder.exportDirectory(exportDirectory);
        }
        this.master = new RoundNotifyingTrainingMaster(builder);
        this.spark = new SparkComputationGraph(context, network, master);
    }

    private static boolean export(JavaSparkContext context, TrainSettings.Averaging a) {
        return switch (a.approach()) {
            case EXPORT -> true;
            case DIRECT -> false;
            case AUTO -> ExportSupport.exportSupported(context);
        };
    }

    @Override
    public void fitEpoch(JavaRDD<MultiDataSet> batches, RoundListener listener) {
        master.listener(listener);
        try {
            spark.fitMultiDataSet(batches);
        } catch (RoundNotifyingTrainingMaster.StopRequested stop) {
            // the listener asked to stop after a round; the network already holds that round's result
        } finally {
            master.listener(null);
        }
    }

    @Override
    public ComputationGraph network() {
        return spark.getNetwork();
    }

    @Override
    public void close() {
        master.deleteTempFiles(context);
    }
}
