package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import io.distillery.features.FeatureColumns;
import io.distillery.losses.CrossEntropyLoss;
import io.distillery.losses.LossRegistry;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code losses} list and {@code student.num-classes} of a train section. Each entry is
 * {@code {type, weight, <parameters of that type>}}; the parameters are checked against {@link LossRegistry}'s table
 * (an unknown type or parameter is one error naming its key), besides what wires the loss to the data:
 * {@code teacher-column} (cosine, pkt: {@code pooled} or {@code cls}) and {@code student-block} /
 * {@code teacher-layer} (hidden and attention: 1-based block numbers, as extract's {@code store.layers} and
 * {@code store.attention}).
 *
 * @param numClasses classifier width for logit losses; 0 = from the dataset (teacher logits width, class names)
 */
record LossSettings(List<LossSpec> losses, int numClasses) {
    static final String TEACHER_COLUMN = "teacher-column";
    static final String STUDENT_BLOCK = "student-block";
    static final String TEACHER_LAYER = "teacher-layer";
    private static final Set<String> FEATURE_COLUMNS = Set.of(FeatureColumns.POOLED, FeatureColumns.CLS);

    LossSettings {
        losses = List.copyOf(losses);
    }

    /** Reads {@code losses} and {@code student.num-classes} of {@code c}, the resolved {@code section}. */
    static LossSettings from(Config c, String section) {
        String key = section + ".losses";
        ConfigList list;
        int numClasses;
        try {
            list = c.getList("losses");
            numClasses = c.getInt("student.num-classes");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(section + ": " + e.getMessage(), e);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException(
                    section + ".student.num-classes must be >= 0 (0 = from the dataset), got " + numClasses);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException(
                    key + " is empty; give at least one loss, e.g. [{type = d2v, weight = 1}]");
        }
        List<LossSpec> specs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            specs.add(entry(key + "[" + i + "]", list.get(i)));
        }
        return new LossSettings(specs, numClasses);
    }

    private static LossSpec entry(String key, ConfigValue value) {
        if (!(value instanceof ConfigObject object)) {
            throw new IllegalArgumentException(
                    key + " must be an object like {type = kd, weight = 1}, got " + value.render());
        }
        Config entry = object.toConfig();
        try {
            if (!entry.hasPath("type")) {
                throw new IllegalArgumentException(key + ".type is required (one of " + knownTypes() + ")");
            }
            String type = entry.getString("type");
            LossGroup group;
            try {
                group = LossGroup.of(type);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        key + ".type: unknown loss '" + type + "' (known: " + knownTypes() + ")", e);
            }
            double weight = entry.hasPath("weight") ? entry.getDouble("weight") : 1.0;
            Set<String> wiring = new TreeSet<>(Set.of("type", "weight"));
            String teacherColumn;
            int studentBlock = 0;
            switch (group) {
                case D2V -> teacherColumn = FeatureColumns.TARGET;
                case LOGITS -> teacherColumn = type.equals(CrossEntropyLoss.TYPE) ? null : FeatureColumns.LOGITS;
                case FEATURES -> {
                    wiring.add(TEACHER_COLUMN);
                    teacherColumn =
                            entry.hasPath(TEACHER_COLUMN) ? entry.getString(TEACHER_COLUMN) : FeatureColumns.POOLED;
                    if (!FEATURE_COLUMNS.contains(teacherColumn)) {
                        throw new IllegalArgumentException(
                                key + "." + TEACHER_COLUMN + " must be pooled or cls, got '" + teacherColumn + "'");
                    }
                }
                case TOKENS -> {
                    wiring.addAll(Set.of(STUDENT_BLOCK, TEACHER_LAYER));
                    studentBlock = positive(entry, key, STUDENT_BLOCK);
                    teacherColumn = FeatureColumns.layer(positive(entry, key, TEACHER_LAYER));
                }
                case ATTENTION -> {
                    wiring.addAll(Set.of(STUDENT_BLOCK, TEACHER_LAYER));
                    studentBlock = positive(entry, key, STUDENT_BLOCK);
                    teacherColumn = FeatureColumns.attention(positive(entry, key, TEACHER_LAYER));
                }
                default -> teacherColumn = null;
            }
            Map<String, Double> params = params(entry, key, type, group, wiring);
            LossSpec spec = new LossSpec(key, type, weight, params, teacherColumn, studentBlock);
            if (group != LossGroup.D2V) {
                try {
                    spec.term(); // the registry checks the values (a temperature > 0, ...)
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                }
            }
            return spec;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** The registry parameters the entry sets; any other key is refused naming it and the known ones. */
    private static Map<String, Double> params(
            Config entry, String key, String type, LossGroup group, Set<String> wiring) {
        Set<String> known = new TreeSet<>(wiring);
        if (group != LossGroup.D2V) {
            known.addAll(LossRegistry.defaults(type).root().keySet());
        }
        Map<String, Double> params = new LinkedHashMap<>();
        for (String name : new TreeSet<>(entry.root().keySet())) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(key + "." + name + ": loss '" + type + "' has no parameter '" + name
                        + "' (known: " + String.join(", ", known) + ")");
            }
            if (!wiring.contains(name)) {
                try {
                    params.put(name, entry.getDouble(name));
                } catch (ConfigException.WrongType e) {
                    throw new IllegalArgumentException(
                            key + "." + name + " must be a number, got '"
                                    + entry.getValue(name).unwrapped() + "'",
                            e);
                }
            }
        }
        return params;
    }

    private static int positive(Config entry, String key, String name) {
        if (!entry.hasPath(name)) {
            throw new IllegalArgumentException(key + "." + name + " is required (a 1-based block number)");
        }
        int value = entry.getInt(name);
        if (value < 1) {
            throw new IllegalArgumentException(key + "." + name + " must be a 1-based block number, got " + value);
        }
        return value;
    }

    private static String knownTypes() {
        List<String> types = new ArrayList<>(List.of(LossGroup.D2V_TYPE));
        types.addAll(LossRegistry.types());
        return String.join(", ", types);
    }

    /** Whether this is today's objective, d2v alone at weight 1 (nothing of the run may then change). */
    boolean isDefault() {
        return losses.size() == 1
                && losses.get(0).group() == LossGroup.D2V
                && losses.get(0).weight() == 1.0;
    }

    /** {@code type*weight} joined by {@code +}, e.g. {@code kd*1.0+ce*0.5}: what the export's metadata records. */
    String describe() {
        return String.join(
                "+", losses.stream().map(s -> s.type() + "*" + s.weight()).toList());
    }
}
