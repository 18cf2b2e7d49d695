package io.distillery.student;

import io.distillery.features.FeatureColumns;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.objective.TermLossFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configured losses resolved against the data: which outputs the training graph gets, in which order, and what
 * each output's labels array holds. Output order is fixed: the d2v loss ({@link StudentGraph#LOSS}) first (so a
 * d2v-only graph is exactly the graph of before), the classifier ({@link ClassifierGraph#HEAD}, all logit losses
 * summed by one {@link TermLossFunction}), then one output per feature loss ({@code feature.<i>} for
 * {@code losses[i]}), then one per hidden-state loss ({@code hidden.<i>}), then one per attention-map loss
 * ({@code attention.<i>}).
 */
public final class StudentObjective {
    private static final LossSpec DEFAULT_D2V =
            new LossSpec("distillery.train.losses[0]", LossGroup.D2V_TYPE, 1.0, Map.of(), FeatureColumns.TARGET, 0);

    private final List<LossSpec> specs;
    private final int classes;
    private final Map<String, Integer> teacherWidths;

    /**
     * One output of the training graph and its labels: {@code [N, teacherWidth]} of {@code teacherColumn}, then
     * {@code classes} one-hot columns when a term needs labels (see {@link TermLossFunction}).
     */
    public record Output(String vertex, List<LossSpec> terms, String teacherColumn, int teacherWidth, int classes) {
        public int labelWidth() {
            return teacherWidth + classes;
        }
    }

    /**
     * @param classes       classifier width (used when a logit loss is configured)
     * @param teacherWidths floats per row of each teacher column the losses read ({@code target} included)
     */
    public StudentObjective(List<LossSpec> specs, int classes, Map<String, Integer> teacherWidths) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("the objective needs at least one loss");
        }
        this.specs = List.copyOf(specs);
        this.classes = classes;
        this.teacherWidths = Map.copyOf(teacherWidths);
        long d2v = specs.stream().filter(s -> s.group() == LossGroup.D2V).count();
        if (d2v > 1) {
            throw new IllegalArgumentException("d2v is configured " + d2v + " times; give it once with its weight");
        }
        if (!logits().isEmpty() && classes < 2) {
            throw new IllegalArgumentException(
                    logits().get(0).label() + " needs a classifier of at least 2 classes, got " + classes);
        }
    }

    /** Today's objective: data2vec 2.0's loss alone, weight 1. */
    public static StudentObjective d2vOnly() {
        return new StudentObjective(List.of(DEFAULT_D2V), 0, Map.of());
    }

    public List<LossSpec> specs() {
        return specs;
    }

    /** The d2v term's weight; 0 when d2v is not configured (the graph then has no target head). */
    public double d2vWeight() {
        return specs.stream()
                .filter(s -> s.group() == LossGroup.D2V)
                .mapToDouble(LossSpec::weight)
                .findFirst()
                .orElse(0);
    }

    public List<LossSpec> logits() {
        return ofGroup(LossGroup.LOGITS);
    }

    public List<LossSpec> features() {
        return ofGroup(LossGroup.FEATURES);
    }

    public List<LossSpec> hidden() {
        return ofGroup(LossGroup.TOKENS);
    }

    public List<LossSpec> attention() {
        return ofGroup(LossGroup.ATTENTION);
    }

    /** The 0-based student blocks whose attention probabilities a loss reads (their sublayer then emits them). */
    public java.util.Set<Integer> attentionBlocks() {
        java.util.Set<Integer> blocks = new java.util.TreeSet<>();
        attention().forEach(s -> blocks.add(s.studentBlock() - 1));
        return blocks;
    }

    public int classes() {
        return classes;
    }

    /** Whether the graph needs the pooled student features ({@code fc_norm}). */
    public boolean pools() {
        return !logits().isEmpty() || !features().isEmpty();
    }

    private List<LossSpec> ofGroup(LossGroup group) {
        return specs.stream().filter(s -> s.group() == group).toList();
    }

    /** The output vertex of {@code spec} (d2v, the classifier, or its own feature output). */
    public String vertex(LossSpec spec) {
        return switch (spec.group()) {
            case D2V -> StudentGraph.LOSS;
            case LOGITS -> ClassifierGraph.HEAD;
            case TOKENS -> "hidden." + specs.indexOf(spec);
            case ATTENTION -> "attention." + specs.indexOf(spec);
            default -> "feature." + specs.indexOf(spec);
        };
    }

    /** The projection vertex of a feature or hidden loss, when its output has one. */
    static String projection(String outputVertex) {
        return outputVertex + ".proj";
    }

    /** The graph's outputs in order, with their label layouts. */
    public List<Output> outputs() {
        List<Output> out = new ArrayList<>();
        specs.stream()
                .filter(s -> s.group() == LossGroup.D2V)
                .findFirst()
                .ifPresent(s -> out.add(new Output(StudentGraph.LOSS, List.of(s), s.teacherColumn(), width(s), 0)));
        out.addAll(headOutputs());
        return out;
    }

    /**
     * The outputs after d2v's: the classifier, the feature, the hidden and the attention losses (what
     * {@link StudentHeads} adds).
     */
    List<Output> headOutputs() {
        List<Output> out = new ArrayList<>();
        List<LossSpec> logits = logits();
        if (!logits.isEmpty()) {
            boolean teacher = logits.stream().anyMatch(s -> s.teacherColumn() != null);
            boolean labels = logits.stream().anyMatch(LossSpec::needsLabels);
            String column = teacher ? FeatureColumns.LOGITS : null;
            out.add(new Output(ClassifierGraph.HEAD, logits, column, teacher ? classes : 0, labels ? classes : 0));
        }
        for (LossSpec s : features()) {
            out.add(new Output(vertex(s), List.of(s), s.teacherColumn(), width(s), 0));
        }
        for (LossSpec s : hidden()) {
            out.add(new Output(vertex(s), List.of(s), s.teacherColumn(), width(s), 0));
        }
        for (LossSpec s : attention()) {
            out.add(new Output(vertex(s), List.of(s), s.teacherColumn(), width(s), 0));
        }
        return out;
    }

    /** The teacher width of {@code spec}'s column. */
    public int width(LossSpec spec) {
        Integer w = teacherWidths.get(spec.teacherColumn());
        if (w == null) {
            throw new IllegalStateException(
                    spec.label() + ": no width known for column '" + spec.teacherColumn() + "'");
        }
        return w;
    }
}
