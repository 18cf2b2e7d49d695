package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.kernels.Decoder2dMath;
import io.distillery.model.kernels.SavedTensors;
import io.distillery.model.layers.Decoder2d;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The native decoder against fairseq's {@code Decoder2d} run by PyTorch in float64
 * ({@code src/test/resources/decoder2d/generate.py}): the output and, through autograd, the gradients of
 * {@code sum(output * R)} for the input and every parameter. In double everything agrees to 1e-10 of the largest
 * entry; in float (the parameters and input rounded to float32) to 1e-5 of it, float32's rounding over a few blocks.
 */
class Decoder2dParityTest {
    private static final double DOUBLE_TOL = 1e-10;
    private static final double FLOAT_TOL = 1e-5;

    record Case(String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        try (InputStream in = Decoder2dParityTest.class.getResourceAsStream("/decoder2d/decoder2d.json")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /decoder2d/decoder2d.json");
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
    void doubleMatchesFairseq(Case c) {
        check(c, DataType.DOUBLE, DOUBLE_TOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatMatchesFairseqToFloatRounding(Case c) {
        check(c, DataType.FLOAT, FLOAT_TOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checkpointKeysAreFairseqs(Case c) {
        Map<String, String> expected = new LinkedHashMap<>();
        c.json()
                .get("params")
                .fields()
                .forEachRemaining(e -> expected.put(
                        e.getKey(),
                        "modality_encoders.IMAGE.decoder."
                                + e.getValue().get("key").asText()));
        assertThat(layer(c.json(), "modality_encoders.IMAGE.decoder.").checkpointKeys())
                .containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static Decoder2d layer(JsonNode j, String prefix) {
        return new Decoder2d(
                j.get("height").asInt(),
                j.get("width").asInt(),
                j.get("input_dim").asInt(),
                j.get("decoder_dim").asInt(),
                j.get("target_dim").asInt(),
                j.get("layers").asInt(),
                j.get("kernel").asInt(),
                j.get("groups").asInt(),
                j.get("residual").asBoolean(),
                prefix);
    }

    private static void check(Case c, DataType type, double tolerance) {
        JsonNode j = c.json();
        int batch = j.get("batch").asInt();
        Decoder2dMath math = new Decoder2dMath(
                j.get("height").asInt(),
                j.get("width").asInt(),
                j.get("input_dim").asInt(),
                j.get("decoder_dim").asInt(),
                j.get("layers").asInt(),
                j.get("kernel").asInt(),
                j.get("groups").asInt(),
                j.get("residual").asBoolean(),
                Decoder2d.LAYER_NORM_EPS);
        Map<String, INDArray> params = new HashMap<>();
        Map<String, INDArray> grads = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = j.get("params").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            INDArray p = tensor(e.getValue(), type);
            params.put(e.getKey(), p);
            grads.put(e.getKey(), Nd4j.createUninitialized(type, p.shape()));
        }
        INDArray input = tensor(j.get("input"), type).reshape(batch, -1);
        SavedTensors saved = new SavedTensors();
        INDArray out = math.forward(input, params, saved, Nd4j::createUninitialized);
        assertClose(c + " output", out, tensor(j.get("output"), DataType.DOUBLE), tolerance);
        INDArray upstream = tensor(j.get("upstream"), type).reshape(batch, -1);
        INDArray dInput = math.backward(upstream, input, params, grads, saved, Nd4j::createUninitialized);
        assertClose(c + " input gradient", dInput, tensor(j.get("grads").get("input"), DataType.DOUBLE), tolerance);
        for (String name : params.keySet()) {
            assertClose(
                    c + " gradient " + name,
                    grads.get(name),
                    tensor(j.get("grads").get(name), DataType.DOUBLE),
                    tolerance);
        }
    }

    private static INDArray tensor(JsonNode t, DataType type) {
        JsonNode data = t.get("data");
        double[] values = new double[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).asDouble();
        }
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        return Nd4j.create(values, shape, DataType.DOUBLE).castTo(type);
    }

    /** max |actual - expected| within {@code tolerance} times the largest |expected| (at least 1). */
    private static void assertClose(String what, INDArray actual, INDArray expected, double tolerance) {
        assertThat(actual.length()).as("%s size", what).isEqualTo(expected.length());
        INDArray e = expected.reshape(expected.length());
        double diff = actual.castTo(DataType.DOUBLE)
                .reshape(actual.length())
                .sub(e)
                .amaxNumber()
                .doubleValue();
        double scale = Math.max(1, e.amaxNumber().doubleValue());
        System.out.printf("%-60s max abs diff %.3e (scale %.2f)%n", what, diff, scale);
        assertThat(diff).as("%s: max |java - pytorch|", what).isLessThanOrEqualTo(tolerance * scale);
    }
}
