package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.npy.ParityFiles;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lending: one encoder per concurrent thread, capped, and never one encoder to two threads at once. */
class EncoderPoolTest {
    private static Encoder teacher() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        return EncoderLoader.load(config, ParityFiles.file("teacher_beitv2/weights.safetensors"));
    }

    @Test
    void sequentialUseKeepsOneCopy() throws Exception {
        Encoder teacher = teacher();
        EncoderPool pool = new EncoderPool(teacher, EncoderPool.ONE_PER_THREAD);
        for (int i = 0; i < 3; i++) {
            Encoder lent = pool.apply(e -> e);
            assertThat(lent).isSameAs(teacher);
        }
        assertThat(pool.copies()).isEqualTo(1);
    }

    @Test
    void concurrentThreadsEachGetTheirOwnCopy() throws Exception {
        EncoderPool pool = new EncoderPool(teacher(), EncoderPool.ONE_PER_THREAD);
        int threads = 3;
        CyclicBarrier allHoldingOne = new CyclicBarrier(threads);
        Set<Encoder> held = ConcurrentHashMap.newKeySet();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    pool.apply(e -> {
                        held.add(e);
                        await(allHoldingOne);
                        return null;
                    });
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join(30_000);
        }
        assertThat(held).hasSize(threads);
        assertThat(pool.copies()).isEqualTo(threads);
    }

    @Test
    void aCapMakesFurtherThreadsWaitForAFreeCopy() throws Exception {
        EncoderPool pool = new EncoderPool(teacher(), 1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(3);
        for (int t = 0; t < 3; t++) {
            new Thread(() -> {
                        try {
                            pool.apply(e -> {
                                mostAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
                                sleep(100);
                                inside.decrementAndGet();
                                return null;
                            });
                        } catch (java.io.IOException e) {
                            throw new RuntimeException(e);
                        } finally {
                            done.countDown();
                        }
                    })
                    .start();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mostAtOnce.get()).isEqualTo(1);
        assertThat(pool.copies()).isEqualTo(1);
    }

    @Test
    void aNegativeCapIsRefused() {
        assertThatThrownBy(() -> new EncoderPool(teacher(), -1)).hasMessageContaining("maxCopies");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("threads did not all hold a copy at once", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
