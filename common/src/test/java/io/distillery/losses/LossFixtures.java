package io.distillery.losses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reads the golden cases written by {@code src/test/resources/losses/generate.py} (JSON, float64 via repr). */
final class LossFixtures {

    record Case(
            String loss,
            String name,
            Map<String, Double> params,
            INDArray student,
            INDArray teacher,
            int[] labels,
            double value,
            INDArray gradient) {
        @Override
        public String toString() {
            return loss + "/" + name;
        }
    }

    static final List<String> LOSSES = List.of("ce", "kd", "dkd", "lskd", "hidden", "attention", "pkt", "cosine");

    private LossFixtures() {}

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String loss : LOSSES) {
            cases.addAll(read(loss));
        }
        return cases;
    }

    static List<Case> read(String loss) {
        String resource = "/losses/" + loss + ".json";
        try (InputStream in = LossFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                Map<String, Double> params = new LinkedHashMap<>();
                c.get("params")
                        .fields()
                        .forEachRemaining(
                                e -> params.put(e.getKey(), e.getValue().asDouble()));
                int[] labels = null;
                if (c.has("labels")) {
                    labels = new int[c.get("labels").size()];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = c.get("labels").get(i).asInt();
                    }
                }
                cases.add(new Case(
                        loss,
                        c.get("name").asText(),
                        params,
                        tensor(c.get("student")),
                        c.has("teacher") ? tensor(c.get("teacher")) : null,
                        labels,
                        c.get("loss").asDouble(),
                        tensor(c.get("grad"))));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    private static INDArray tensor(JsonNode node) {
        long[] shape = new long[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).asLong();
        }
        double[] data = new double[node.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = node.get("data").get(i).asDouble();
        }
        return Nd4j.create(data, shape, 'c').castTo(DataType.DOUBLE);
    }
}
