package io.distillery.student;

import com.typesafe.config.ConfigFactory;
import io.distillery.losses.imagetext.ImageTextLoss;
import io.distillery.losses.imagetext.ImageTextLossRegistry;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * One weighted term of a CLIP-KD objective ({@link ImageTextKdLoss}): a loss of {@link ImageTextLossRegistry} by
 * name, its weight, and the parameters the config set (the rest keep the registry's defaults). A plain class with
 * fields, not a record, because DL4J writes it into the graph's JSON with its shaded Jackson.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ImageTextKdTerm implements Serializable {
    private static final long serialVersionUID = 1L;

    private String type;
    private double weight;
    private TreeMap<String, Double> params;

    private ImageTextKdTerm() {}

    /**
     * @param type   a registry name ({@code clip}, {@code fd}, {@code icl}, {@code crd}, {@code gd}, {@code afd})
     * @param weight the term's weight in the objective, finite and >= 0
     * @param params loss parameters by name (checked against the registry now)
     */
    public ImageTextKdTerm(String type, double weight, Map<String, Double> params) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "image-text loss '" + type + "': weight must be a finite number >= 0, got " + weight);
        }
        this.type = type;
        this.weight = weight;
        this.params = new TreeMap<>(params);
        loss(); // an unknown type or parameter fails here, naming it
    }

    public String type() {
        return type;
    }

    public double weight() {
        return weight;
    }

    public Map<String, Double> params() {
        return Map.copyOf(params);
    }

    /** The configured loss. */
    public ImageTextLoss loss() {
        return ImageTextLossRegistry.create(type, ConfigFactory.parseMap(params, "image-text loss " + type));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTextKdTerm other
                && other.type.equals(type)
                && Double.compare(other.weight, weight) == 0
                && other.params.equals(params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, weight, params);
    }

    @Override
    public String toString() {
        return weight + " x " + type + (params.isEmpty() ? "" : params.toString());
    }
}
