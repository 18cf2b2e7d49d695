package io.distillery.masking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code src/test/resources/masking/masks.json}: fairseq's {@code compute_block_mask_2d} and
 * {@code random_masking} run under PyTorch with their random draws recorded (generate.py); the Java algorithms
 * replay exactly those draws, row by row, and must produce fairseq's masks and consume every draw.
 */
class FairseqMaskParityTest {

    record Case(String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        try (InputStream in = FairseqMaskParityTest.class.getResourceAsStream("/masking/masks.json")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /masking/masks.json");
            }
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                cases.add(new Case(c.get("name").asText(), c));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replayedDrawsGiveFairseqsMasks(Case c) {
        JsonNode json = c.json();
        MaskSampler sampler = sampler(json);
        int row = 0;
        for (JsonNode r : json.get("rows")) {
            ReplayedDraws draws =
                    new ReplayedDraws(ints(r.get("ints")), doubles(r.get("exponentials")), doubles(r.get("uniforms")));
            TokenMask got = sampler.sample(draws);
            assertThat(got.toString())
                    .as("%s row %d", c.name(), row)
                    .isEqualTo(r.get("mask").asText());
            draws.assertAllUsed();
            assertThat(got.maskedCount())
                    .as("%s row %d masked count", c.name(), row)
                    .isEqualTo(sampler.maskedCount());
            row++;
        }
        assertThat(row).isPositive();
    }

    private static MaskSampler sampler(JsonNode c) {
        if (c.get("kind").asText().equals("random")) {
            return new RandomMask(c.get("tokens").asInt(), c.get("ratio").asDouble());
        }
        return new BlockMask2d(
                c.get("side").asInt(),
                c.get("mask_prob").asDouble(),
                c.get("mask_length").asInt(),
                c.get("mask_prob_adjust").asDouble(),
                c.get("inverse_mask").asBoolean(),
                c.get("expand_adjcent").asBoolean(),
                c.get("mask_dropout").asDouble(),
                c.get("non_overlapping").asBoolean());
    }

    private static int[] ints(JsonNode array) {
        if (array == null) {
            return new int[0];
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        if (array == null) {
            return new double[0];
        }
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
