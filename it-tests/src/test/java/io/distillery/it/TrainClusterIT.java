package io.distillery.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.distillery.it.cluster.DistilleryCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TODO(issue 4): train and evaluate on the cluster of {@link ExtractClusterIT}. Not written yet, because the train
 * and evaluate jobs do not exist yet; each test says what it must show and which harness hooks to use. Disabled
 * at class level too, so no cluster is started for nothing. Remove both @Disabled once {@code distillery train}
 * exists; until then every test fails on purpose if enabled.
 *
 * <p>Harness hooks ({@code io.distillery.it.cluster}):
 * <ul>
 *   <li>{@link DistilleryCluster#start} / {@code close}: HDFS + Master + 2 Workers + an in-process application with
 *       one executor JVM per worker; {@link DistilleryCluster#sparkConf()} (1 MB {@code spark.rpc.message.maxSize},
 *       loopback, 1 core per executor) for any other driver;</li>
 *   <li>{@link DistilleryCluster#extractSettings} + {@code ClusterInputs.writeShards}: a small feature dataset on
 *       HDFS to train on (run {@code ExtractJob.run} in-process first);</li>
 *   <li>{@code TaskLog}: which executors ran tasks, tasks lost with an executor, jobs started;</li>
 *   <li>{@link DistilleryCluster#executors()} + {@code StandaloneCluster.kill}: SIGKILL an executor JVM;</li>
 *   <li>{@link DistilleryCluster#launch} + {@code Launched.killDriver()}: a driver JVM from deploy/bin/distillery
 *       with {@code --set} overrides, killed with SIGKILL, then launched again (e.g. with {@code --resume});</li>
 *   <li>{@code HdfsCluster.snapshot}: files, sizes, modification times and checksums of an output folder.</li>
 * </ul>
 */
@Disabled("needs train job (issue 4)")
class TrainClusterIT {
    private static DistilleryCluster cluster;

    @BeforeAll
    static void startCluster(@TempDir Path dir) throws Exception {
        cluster = DistilleryCluster.start(dir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Disabled("needs train job (issue 4)")
    void trainingWithParameterAveragingRunsOnBothExecutors() {
        // 1. extract a few shards to /train/features (ClusterInputs.writeShards + ExtractJob.run, in-process).
        // 2. train in-process (the train job's Java entry point) with parameter averaging over 2 workers, a small
        //    averaging frequency, 2 epochs, checkpoints to hdfs:///train/run.
        // 3. TaskLog: fit tasks succeeded on both executors (executorsWithSuccess() has 2 ids) and none failed; the
        //    1 MB spark.rpc.message.maxSize held (the model travels by broadcast, not inside tasks).
        // 4. The loss went down; the checkpoint and the exported safetensors load (EncoderLoader) and give the same
        //    outputs as the model in the driver.
        fail("not written: needs train job (issue 4)");
    }

    @Test
    @Disabled("needs train job (issue 4)")
    void killingAnExecutorDuringTrainingRetriesAndFinishes() {
        // As ExtractClusterIT#killingAnExecutorMidExtractLosesAndDuplicatesNothing: a test-only delay per step (a
        // local property like ExtractJob.BATCH_DELAY_MILLIS), SIGKILL the busy executor (TaskLog.busyExecutors),
        // expect TaskLog.executorLost() > 0, the job to finish, and the step count to be what an undisturbed run does.
        fail("not written: needs train job (issue 4)");
    }

    @Test
    @Disabled("needs train job (issue 4)")
    void killingTheDriverDuringTrainingThenResumeContinuesFromTheLastCheckpoint() {
        // 1. cluster.launch(dir, "train", "--config", <job file>, "--set", ...) -> Launched.
        // 2. Wait for the first checkpoint on HDFS (HdfsCluster.names), then launched.killDriver() (SIGKILL: no
        //    shutdown hooks, a half-written checkpoint must not be taken for a complete one).
        // 3. The master removes the dead application and its executors (StandaloneCluster.executors() no longer
        //    lists its --app-id); the in-process application is untouched.
        // 4. cluster.launch(dir, "train", ..., "--resume") exits 0; it started from the last complete checkpoint
        //    (step/epoch in its log and checkpoint metadata), not from scratch, and the final checkpoint is complete.
        fail("not written: needs train job (issue 4)");
    }

    @Test
    @Disabled("needs evaluate job (after issue 4)")
    void evaluateOnTheClusterReadsTheTrainedModelAndTheFeaturesFromHdfs() {
        // Evaluate the trained student on a held-out feature dataset on HDFS, once in-process and once through the
        // launcher: the metrics agree, the report is written to HDFS, and a rerun gives the same numbers.
        fail("not written: needs evaluate job (after issue 4)");
    }
}
