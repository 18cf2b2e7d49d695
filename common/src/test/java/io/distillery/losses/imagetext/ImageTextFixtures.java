package io.distillery.losses.imagetext;

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

/** Reads the golden cases written by {@code src/test/resources/losses/imagetext/generate.py}. */
final class ImageTextFixtures {

    /** One case: the loss's config parameters, its inputs (in double) and PyTorch's loss and gradients. */
    record Case(String loss, String name, Map<String, Object> params, ImageTextInputs inputs, Expected expected) {
        @Override
        public String toString() {
            return loss + "/" + name;
        }
    }

    record Expected(
            double value,
            INDArray studentImage,
            INDArray studentText,
            double studentLogScale,
            Map<String, INDArray> parameters) {}

    static final List<String> LOSSES = List.of("clip", "fd", "mfd", "icl", "crd", "gd", "afd");

    private ImageTextFixtures() {}

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String loss : LOSSES) {
            cases.addAll(read(loss));
        }
        return cases;
    }

    private static List<Case> read(String loss) {
        String resource = "/losses/imagetext/" + loss + ".json";
        try (InputStream in = ImageTextFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                Map<String, Object> params = new LinkedHashMap<>();
                c.get("params")
                        .fields()
                        .forEachRemaining(
                                e -> params.put(e.getKey(), e.getValue().asDouble()));
                JsonNode in0 = c.get("inputs");
                ImageTextInputs inputs = new ImageTextInputs(
                        tensor(in0.get("student_image")),
                        tensor(in0.get("student_text")),
                        tensor(in0.get("teacher_image")),
                        tensor(in0.get("teacher_text")),
                        in0.get("teacher_scale").asDouble(),
                        in0.get("student_log_scale").asDouble(),
                        tensors(in0.get("parameters")));
                JsonNode grads = c.get("grads");
                Expected expected = new Expected(
                        c.get("loss").asDouble(),
                        tensor(grads.get("student_image")),
                        tensor(grads.get("student_text")),
                        grads.get("student_log_scale").asDouble(),
                        tensors(grads.get("parameters")));
                cases.add(new Case(loss, c.get("name").asText(), params, inputs, expected));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    private static Map<String, INDArray> tensors(JsonNode node) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), tensor(e.getValue())));
        return out;
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
        if (shape.length == 0) {
            return Nd4j.scalar(DataType.DOUBLE, data[0]);
        }
        return Nd4j.create(data, shape, 'c').castTo(DataType.DOUBLE);
    }
}
