package io.distillery.spark;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.EncoderPool;
import io.distillery.model.ModelConfig;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One frozen model (teacher or student) per executor JVM, loaded on first use from a path every executor can read
 * (see {@link ModelFiles}). Tasks never carry the weights in their closures. The model is lent through an
 * {@link EncoderPool}, so concurrent tasks each run their own replica on the shared weights.
 */
public final class ExecutorModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModelCache.class);
    private static final Map<String, EncoderPool> MODELS = new ConcurrentHashMap<>();

    private ExecutorModelCache() {}

    /** The pool of one model, with as many copies as tasks use it at once. */
    public static EncoderPool get(String model, String checkpoint, Configuration conf) {
        return get(model, checkpoint, EncoderPool.ONE_PER_THREAD, conf);
    }

    /** @param maxCopies the most copies run at once ({@link EncoderPool#ONE_PER_THREAD}: one per running task) */
    public static EncoderPool get(String model, String checkpoint, int maxCopies, Configuration conf) {
        return MODELS.computeIfAbsent(
                model + "|" + checkpoint + "|" + maxCopies,
                key -> new EncoderPool(load(model, checkpoint, conf), maxCopies));
    }

    private static Encoder load(String model, String checkpoint, Configuration conf) {
        try {
            long start = System.nanoTime();
            ModelConfig config = ModelFiles.config(model, conf);
            Encoder encoder = EncoderLoader.load(config, ModelFiles.localCopy(checkpoint, conf));
            LOG.info("model {} loaded in {} ms", checkpoint, (System.nanoTime() - start) / 1_000_000);
            return encoder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot load model " + checkpoint + ": " + e.getMessage(), e);
        }
    }
}
