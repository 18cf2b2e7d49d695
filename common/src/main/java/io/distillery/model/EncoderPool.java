package io.distillery.model;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * Lends encoders to threads, one at a time each: the prototype first, then {@link Encoder#replica() replicas} on
 * the same parameters as more threads need one at once, up to a cap. A DL4J graph must not run two forward passes
 * at once; one replica per concurrent Spark task lets every task slot of an executor run the teacher in parallel
 * while the weights stay in memory once.
 */
public final class EncoderPool {
    /** Cap value meaning "one copy per thread that asks at the same time". */
    public static final int ONE_PER_THREAD = 0;

    private final Encoder prototype;
    private final int maxCopies;
    private final Deque<Encoder> idle = new ArrayDeque<>();
    private int created;

    /** @param maxCopies the most encoders lent at once, or {@link #ONE_PER_THREAD} */
    public EncoderPool(Encoder prototype, int maxCopies) {
        if (maxCopies < 0) {
            throw new IllegalArgumentException("maxCopies must be >= 0, got " + maxCopies);
        }
        this.prototype = prototype;
        this.maxCopies = maxCopies;
    }

    public ModelConfig config() {
        return prototype.config();
    }

    /** Runs {@code work} on an encoder no other thread uses meanwhile; waits while all copies are lent. */
    public <T> T apply(Function<Encoder, T> work) throws InterruptedIOException {
        Encoder encoder = borrow();
        try {
            return work.apply(encoder);
        } finally {
            release(encoder);
        }
    }

    /** How many encoders exist (the prototype included). */
    public synchronized int copies() {
        return created;
    }

    private synchronized Encoder borrow() throws InterruptedIOException {
        while (idle.isEmpty()) {
            if (maxCopies == ONE_PER_THREAD || created < maxCopies) {
                created++;
                return created == 1 ? prototype : prototype.replica();
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a free copy of the encoder");
            }
        }
        return idle.pop();
    }

    private synchronized void release(Encoder encoder) {
        idle.push(encoder);
        notifyAll();
    }
}
