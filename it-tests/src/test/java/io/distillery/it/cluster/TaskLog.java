package io.distillery.it.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * What the driver's scheduler did while it was installed: jobs, which executors ran tasks, which tasks are running
 * now, and how tasks ended. Install with {@link #install}, remove with {@link #close()}.
 */
public final class TaskLog extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private int jobs;
    private final Set<String> executorsWithSuccess = new HashSet<>();
    private final Map<Long, String> running = new HashMap<>();
    private final List<String> failures = new ArrayList<>();
    private int executorLost;

    private TaskLog(SparkContext sc) {
        this.sc = sc;
    }

    public static TaskLog install(SparkContext sc) {
        TaskLog log = new TaskLog(sc);
        sc.addSparkListener(log);
        return log;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart event) {
        jobs++;
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart event) {
        running.put(event.taskInfo().taskId(), event.taskInfo().executorId());
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
        running.remove(event.taskInfo().taskId());
        if (event.reason() == Success$.MODULE$) {
            executorsWithSuccess.add(event.taskInfo().executorId());
        } else {
            failures.add("task " + event.taskInfo().taskId() + " on executor "
                    + event.taskInfo().executorId() + ": " + event.reason());
            if (event.reason() instanceof ExecutorLostFailure) {
                executorLost++;
            }
        }
    }

    /** Waits until the listener has seen every event posted so far (the listener bus is asynchronous). */
    public TaskLog drain() {
        try {
            sc.listenerBus().waitUntilEmpty(30_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark listener bus not drained in 30 s", e);
        }
        return this;
    }

    public synchronized int jobs() {
        return jobs;
    }

    /** Executors on which at least one task succeeded. */
    public synchronized Set<String> executorsWithSuccess() {
        return Set.copyOf(executorsWithSuccess);
    }

    /** Executors running a task right now. */
    public synchronized Set<String> busyExecutors() {
        return Set.copyOf(running.values());
    }

    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Tasks that failed because their executor was lost. */
    public synchronized int executorLost() {
        return executorLost;
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
