package io.distillery.extract;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;

/**
 * Faults and delays that tests inject into the teacher pass; production runs with {@link #NONE}. Tests set them as
 * Spark local properties on the driver ({@link ExtractJob#CRASH_AFTER_ROWS}, {@link ExtractJob#BATCH_DELAY_MILLIS})
 * and they travel inside the task, because a cluster test's executors are other JVMs.
 *
 * @param crashAfterRows   throw after this many rows of a shard, before it is committed (negative = never)
 * @param batchDelayMillis sleep this long after every teacher batch (0 = never): slow enough shards that a test can
 *                         kill an executor while tasks run
 */
record TestHooks(long crashAfterRows, long batchDelayMillis) implements Serializable {
    static final TestHooks NONE = new TestHooks(-1, 0);

    /** The hooks the test running on {@code sc}'s thread asked for; {@link #NONE} when it asked for none. */
    static TestHooks fromLocalProperties(SparkContext sc) {
        String crash = sc.getLocalProperty(ExtractJob.CRASH_AFTER_ROWS);
        String delay = sc.getLocalProperty(ExtractJob.BATCH_DELAY_MILLIS);
        return crash == null && delay == null
                ? NONE
                : new TestHooks(crash == null ? -1 : Long.parseLong(crash), delay == null ? 0 : Long.parseLong(delay));
    }

    /** Only a Spark task's first attempt crashes, so the test sees the retry recover. */
    TestHooks forTask(TaskContext ctx) {
        return ctx != null && ctx.attemptNumber() == 0 ? this : new TestHooks(-1, batchDelayMillis);
    }

    /** Called after each teacher batch, with the rows the shard has written so far. */
    void afterBatch(String shardId, long rows) throws IOException {
        if (batchDelayMillis > 0) {
            try {
                Thread.sleep(batchDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted in the test delay");
            }
        }
        if (crashAfterRows >= 0 && rows >= crashAfterRows) {
            throw new IllegalStateException("injected crash in shard " + shardId + " after " + rows + " rows");
        }
    }
}
