package io.distillery.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reads the golden cases of {@code src/test/resources/eval/imagetext/generate.py} (JSON, float64 via repr). */
final class ImageTextFixtures {

    private ImageTextFixtures() {}

    /** The cases of one JSON file, each a JSON object. */
    static List<JsonNode> cases(String file) {
        String resource = "/eval/imagetext/" + file;
        try (InputStream in = ImageTextFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<JsonNode> cases = new ArrayList<>();
            new ObjectMapper().readTree(in).get("cases").forEach(cases::add);
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    /** {"shape": [...], "data": [...]} as a double array of that shape (C order). */
    static INDArray array(JsonNode node) {
        long[] shape = StreamSupport.stream(node.get("shape").spliterator(), false)
                .mapToLong(JsonNode::asLong)
                .toArray();
        double[] data = StreamSupport.stream(node.get("data").spliterator(), false)
                .mapToDouble(JsonNode::asDouble)
                .toArray();
        return Nd4j.create(data, shape, DataType.DOUBLE);
    }

    static int[] ints(JsonNode node) {
        return StreamSupport.stream(node.spliterator(), false)
                .mapToInt(JsonNode::asInt)
                .toArray();
    }
}
