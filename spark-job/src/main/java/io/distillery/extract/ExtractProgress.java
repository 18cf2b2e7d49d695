package io.distillery.extract;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Logs images done, images/s and ETA at a fixed interval. Finished tasks count through the accumulator; running
 * tasks through the accumulator values executors send with their heartbeats, so long shards show progress too.
 */
final class ExtractProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtractProgress.class);
    private final LongAccumulator images;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "distillery-progress");
        t.setDaemon(true);
        return t;
    });

    ExtractProgress(LongAccumulator images, long estimatedImages, long intervalMillis) {
        this.images = images;
        this.total = estimatedImages;
        timer.scheduleAtFixedRate(this::log, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    long done() {
        return images.value()
                + running.values().stream().mapToLong(Long::longValue).sum();
    }

    void log() {
        long done = done();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String eta = rate > 0 && total > done ? String.format(Locale.ROOT, "%.0f s", (total - done) / rate) : "-";
        LOG.info(String.format(
                Locale.ROOT, "extract progress: %d / ~%d samples, %.1f samples/s, ETA %s", done, total, rate, eta));
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task :
                JavaConverters.seqAsJavaList(update.accumUpdates())) {
            for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
                if (info.id() == images.id() && info.update().isDefined()) {
                    running.put((Long) task._1(), ((Number) info.update().get()).longValue());
                }
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
