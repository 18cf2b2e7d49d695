package io.distillery.losses;

import com.typesafe.config.Config;
import io.distillery.config.NamedFactories;
import java.util.List;
import java.util.Map;

/**
 * The closed set of losses a config may name, each with its parameters and their defaults (the reference
 * implementation's). A config can only pick from this table, never name a class to instantiate, and every
 * parameter it sets must exist: a typo fails here instead of silently leaving a default in force.
 */
public final class LossRegistry {
    private static final NamedFactories<LossTerm> TABLE = new NamedFactories<>("loss");

    static {
        // F.cross_entropy's label_smoothing default
        TABLE.add(
                CrossEntropyLoss.TYPE,
                Map.of("label-smoothing", 0.0),
                p -> new CrossEntropyLoss(p.get("label-smoothing")));
        // mdistiller CFG.KD.TEMPERATURE
        TABLE.add(KdLoss.TYPE, Map.of("temperature", 4.0), p -> new KdLoss(p.get("temperature")));
        // mdistiller CFG.DKD: ALPHA 1, BETA 8, T 4, WARMUP 20 epochs
        TABLE.add(
                DkdLoss.TYPE,
                Map.of("alpha", 1.0, "beta", 8.0, "temperature", 4.0, "warmup", 20.0),
                p -> new DkdLoss(p.get("alpha"), p.get("beta"), p.get("temperature"), p.get("warmup")));
        // the LSKD repository's --base-temp 2; eps as in its normalize()
        TABLE.add(
                LskdLoss.TYPE,
                Map.of("temperature", 2.0, "eps", 1e-7),
                p -> new LskdLoss(p.get("temperature"), p.get("eps")));
        TABLE.add(HiddenStateLoss.TYPE, Map.of(), p -> new HiddenStateLoss());
        TABLE.add(AttentionMapLoss.TYPE, Map.of(), p -> new AttentionMapLoss());
        // torchdistill PKTLoss eps
        TABLE.add(PktLoss.TYPE, Map.of("eps", 1e-7), p -> new PktLoss(p.get("eps")));
        // F.cosine_similarity's eps
        TABLE.add(CosineLoss.TYPE, Map.of("eps", 1e-8), p -> new CosineLoss(p.get("eps")));
    }

    private LossRegistry() {}

    /** The names, in registration order. */
    public static List<String> types() {
        return TABLE.types();
    }

    /** The parameters of {@code type} and their defaults. */
    public static Config defaults(String type) {
        return TABLE.defaults(type);
    }

    /**
     * {@code type} with {@code params} (keys relative to the loss, e.g. {@code temperature = 2}) over its defaults.
     * An unknown type or parameter is an {@link IllegalArgumentException} naming it and the known ones.
     */
    public static LossTerm create(String type, Config params) {
        return TABLE.create(type, params);
    }
}
