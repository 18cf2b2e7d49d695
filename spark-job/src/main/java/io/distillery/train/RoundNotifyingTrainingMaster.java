package io.distillery.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

/**
 * Parameter averaging that tells the driver about every averaging round, so metrics, NaN checks, checkpoints and the
 * iteration budget work per round while the data is still read only once per epoch.
 */
final class RoundNotifyingTrainingMaster extends ParameterAveragingTrainingMaster {
    /** Thrown out of the round loop when the listener asks to stop; caught by the engine. */
    static final class StopRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopRequested() {
            super("training stopped by the driver", null, false, false);
        }
    }

    private transient TrainingEngine.RoundListener listener;

    RoundNotifyingTrainingMaster(Builder builder) {
        super(builder);
    }

    void listener(TrainingEngine.RoundListener listener) {
        this.listener = listener;
    }

    /** The stock worker, except that its model starts at the driver's iteration and epoch (see CounterCarryingWorker). */
    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
        ComputationGraph network = graph.getNetwork();
        NetBroadcastTuple tuple = new NetBroadcastTuple(
                network.getConfiguration(),
                network.params(),
                network.getUpdater().getStateViewArray());
        Broadcast<NetBroadcastTuple> broadcast = graph.getSparkContext().broadcast(tuple);
        WorkerConfiguration configuration = new WorkerConfiguration(
                true,
                rddDataSetNumExamples,
                batchSizePerWorker,
                averagingFrequency,
                prefetchNumBatches,
                collectTrainingStats);
        return new CounterCarryingWorker(
                broadcast,
                saveUpdater,
                configuration,
                trainingHookList,
                listeners,
                getRouterProvider(),
                network.getConfiguration().getIterationCount(),
                network.getConfiguration().getEpochCount());
    }

    @Override
    protected void processResults(
            SparkDl4jMultiLayer network,
            SparkComputationGraph graph,
            JavaRDD<ParameterAveragingTrainingResult> results,
            int splitNum,
            int totalSplits) {
        super.processResults(network, graph, results, splitNum, totalSplits);
        if (listener != null && graph != null && !listener.afterRound(graph.getNetwork(), graph.getScore())) {
            throw new StopRequested();
        }
    }
}
