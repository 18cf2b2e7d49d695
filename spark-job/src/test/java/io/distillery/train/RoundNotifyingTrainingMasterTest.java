package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.extract.SparkTestSession;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.student.Optimization;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Workers must train from the driver's iteration counter (learning-rate schedule, Adam bias correction). */
class RoundNotifyingTrainingMasterTest {

    @Test
    void workerModelsStartAtTheDriversIterationAndEpoch() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        ComputationGraph net = StudentGraph.create(
                config,
                TargetRecipe.defaults(3),
                64,
                new Optimization(1e-3, 1e-5, 100, 1000, 0.05, 0.9, 0.95, 1.0, 1),
                DataType.FLOAT);
        net.getConfiguration().setIterationCount(37);
        net.getConfiguration().setEpochCount(2);
        JavaSparkContext jsc =
                JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());

        RoundNotifyingTrainingMaster ours =
                new RoundNotifyingTrainingMaster(new ParameterAveragingTrainingMaster.Builder(1, 4)
                        .batchSizePerWorker(4)
                        .averagingFrequency(2));
        ComputationGraph onWorker = ours.getWorkerInstance(new SparkComputationGraph(jsc, net, ours))
                .getInitialModelGraph();
        assertThat(onWorker.getConfiguration().getIterationCount()).isEqualTo(37);
        assertThat(onWorker.getConfiguration().getEpochCount()).isEqualTo(2);
        assertThat(onWorker.params()).isEqualTo(net.params());

        // the upstream worker loses the counters (ComputationGraphConfiguration.clone() does not copy them): if this
        // starts failing, dl4j-spark fixed it and CounterCarryingWorker can go
        ParameterAveragingTrainingMaster stock = new ParameterAveragingTrainingMaster.Builder(1, 4)
                .batchSizePerWorker(4)
                .averagingFrequency(2)
                .build();
        assertThat(stock.getWorkerInstance(new SparkComputationGraph(jsc, net, stock))
                        .getInitialModelGraph()
                        .getConfiguration()
                        .getIterationCount())
                .isZero();
    }
}
