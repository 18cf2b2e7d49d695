package io.distillery.model.bert;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.NpyReader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The FFN branch each layer exposes for data2vec's {@code ffn} targets, against the PyTorch reference
 * (src/test/resources/text-targets/generate.py): {@code output.dense(gelu(intermediate.dense(a)))} before the
 * residual and the LayerNorm, at every position of the padded batch.
 */
class BertFfnOutputsTest {
    private static final double RELATIVE_TOL = 1e-5;

    @Test
    void ffnBranchesMatchTheReference() throws IOException, URISyntaxException {
        BertEncoder encoder = BertEncoder.load(BertFixtures.config(), BertFixtures.weights());
        try (BertOutputs out = encoder.forward(
                BertFixtures.array("input_ids"),
                BertFixtures.array("attention_mask"),
                BertFixtures.array("token_type_ids"),
                Set.of(),
                true)) {
            assertThat(out.ffnOutputs()).hasSize(BertFixtures.LAYERS);
            for (int n = 1; n <= BertFixtures.LAYERS; n++) {
                INDArray expected = NpyReader.readExact(Path.of(BertFfnOutputsTest.class
                        .getResource(String.format("/text-targets/ffn_%02d.npy", n))
                        .toURI()));
                INDArray actual = out.ffnOutputs().get(n - 1);
                assertThat(actual.shape()).isEqualTo(expected.shape());
                double scale = expected.amaxNumber().doubleValue();
                double worst = actual.sub(expected).amaxNumber().doubleValue();
                assertThat(worst / scale).as("ffn layer %d", n).isLessThan(RELATIVE_TOL);
            }
        }
    }

    @Test
    void ffnBranchesAreOnlyKeptWhenAskedFor() {
        BertEncoder encoder = BertEncoder.load(BertFixtures.config(), BertFixtures.weights());
        try (BertOutputs out = BertFixtures.run(encoder, Set.of())) {
            assertThat(out.ffnOutputs()).isEmpty();
        }
    }
}
