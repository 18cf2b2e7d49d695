package io.distillery.objective;

import com.typesafe.config.ConfigFactory;
import io.distillery.losses.CrossEntropyLoss;
import io.distillery.losses.DkdLoss;
import io.distillery.losses.LossRegistry;
import io.distillery.losses.LossTerm;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One validated entry of {@code distillery.train.losses}: the loss, its weight in the sum, its registry parameters
 * and what it reads besides the student.
 *
 * @param key           where it was configured, e.g. {@code distillery.train.losses[1]} (for messages)
 * @param type          {@code d2v} or a {@link LossRegistry} type
 * @param weight        factor of this term in the total loss (> 0)
 * @param params        the registry parameters the config set (defaults are not copied in, so a later default
 *                      change reaches old configs as it would for any other setting)
 * @param teacherColumn the dataset column holding the teacher side ({@code target}, {@code logits}, {@code pooled},
 *                      {@code cls}, {@code layer_NN}); null when the loss has none ({@code ce})
 * @param studentBlock  1-based student block a token loss reads; 0 for the others
 */
public record LossSpec(
        String key, String type, double weight, Map<String, Double> params, String teacherColumn, int studentBlock) {

    public LossSpec {
        Objects.requireNonNull(key, "key cannot be null");
        LossGroup.of(type);
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(key + ".weight must be a finite number > 0, got " + weight);
        }
        // sorted: the spec is written into the graph's JSON config, which should not depend on map order
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    public LossGroup group() {
        return LossGroup.of(type);
    }

    /** {@code key (type)}, how messages name the term. */
    public String label() {
        return key + " (" + type + ")";
    }

    /** Whether the term needs the class labels of the rows. */
    public boolean needsLabels() {
        return type.equals(CrossEntropyLoss.TYPE) || type.equals(DkdLoss.TYPE);
    }

    /** The registry loss with this spec's parameters; not defined for {@code d2v}, which the graph computes. */
    public LossTerm term() {
        if (group() == LossGroup.D2V) {
            throw new IllegalStateException(key + ": d2v is computed by the graph's target head, not a LossTerm");
        }
        return LossRegistry.create(type, ConfigFactory.parseMap(params, key));
    }
}
