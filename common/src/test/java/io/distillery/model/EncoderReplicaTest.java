package io.distillery.model;

import static io.distillery.model.ParityAssert.ACTIVATION_TOL;
import static io.distillery.model.ParityAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.ParityFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Replicas share the teacher's parameters and may run forward passes at the same time as the original. */
class EncoderReplicaTest {
    private static Encoder teacher() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        return EncoderLoader.load(config, ParityFiles.file("teacher_beitv2/weights.safetensors"));
    }

    @Test
    void aReplicaReadsTheSameParameterArrayAndMatchesTimm() {
        Encoder teacher = teacher();
        Encoder replica = teacher.replica();
        assertThat(replica.graph()).isNotSameAs(teacher.graph());
        assertThat(replica.graph().params().data().address())
                .isEqualTo(teacher.graph().params().data().address());
        assertThat(replica.head()).isSameAs(teacher.head());
        EncoderActivations acts = replica.forward(ParityFiles.array("input"));
        for (int b = 0; b < 4; b++) {
            assertClose(
                    "teacher_beitv2/block_out_" + String.format("%02d", b + 1),
                    acts.blockOutputs().get(b),
                    ACTIVATION_TOL);
        }
    }

    @Test
    void concurrentForwardPassesOnReplicasEqualSequentialOnes() throws Exception {
        Encoder teacher = teacher();
        INDArray image = ParityFiles.array("input");
        // a different input per thread, so that a pass reading another thread's input would show
        List<INDArray> inputs = List.of(image, image.mul(0.5), image.neg());
        List<float[]> expected = new ArrayList<>();
        for (INDArray input : inputs) {
            expected.add(teacher.forward(input).lastBlockOutput().dup().data().asFloat());
        }
        List<Encoder> copies = List.of(teacher, teacher.replica(), teacher.replica());
        ExecutorService pool = Executors.newFixedThreadPool(copies.size());
        try {
            List<Future<List<INDArray>>> runs = new ArrayList<>();
            for (int c = 0; c < copies.size(); c++) {
                Encoder copy = copies.get(c);
                INDArray input = inputs.get(c);
                Callable<List<INDArray>> loop = () -> {
                    List<INDArray> outs = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        outs.add(copy.forward(input).lastBlockOutput().dup());
                    }
                    return outs;
                };
                runs.add(pool.submit(loop));
            }
            for (int c = 0; c < copies.size(); c++) {
                for (INDArray out : runs.get(c).get()) {
                    assertThat(out.data().asFloat())
                            .as("copy %d: a concurrent forward pass equals the sequential one", c)
                            .containsExactly(expected.get(c));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
