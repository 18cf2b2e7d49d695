package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.student.StudentObjective;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured losses resolved against a feature dataset's metadata: the classifier width and each teacher
 * column's width ({@link StudentObjective}), and from those the label blocks of every graph output
 * ({@link BatchSpec}). Columns are assumed present ({@link DatasetCompatibility#checkLosses} runs first).
 */
final class TrainObjective {
    private TrainObjective() {}

    /** @param target the dataset's target [tokens, width] */
    static StudentObjective resolve(String dataset, FeatureMetadata md, LossSettings settings, long[] target) {
        Map<String, Integer> widths = new HashMap<>();
        for (LossSpec spec : settings.losses()) {
            String column = spec.teacherColumn();
            if (column != null) {
                widths.put(column, teacherWidth(md, column, target));
            }
        }
        List<LossSpec> logits = settings.losses().stream()
                .filter(s -> s.group() == LossGroup.LOGITS)
                .toList();
        int classes = logits.isEmpty() ? 0 : classes(dataset, md, settings, logits);
        return new StudentObjective(settings.losses(), classes, widths);
    }

    private static int classes(String dataset, FeatureMetadata md, LossSettings settings, List<LossSpec> logits) {
        // full logits or top-k columns: either way the teacher's class count
        int logitsWidth = md.storedLogits().map(FeatureMetadata.Logits::classes).orElse(0);
        List<String> names =
                md.input().classNames() == null ? List.of() : md.input().classNames();
        int classes = settings.numClasses() > 0 ? settings.numClasses() : logitsWidth > 0 ? logitsWidth : names.size();
        boolean readsLogits = logits.stream().anyMatch(s -> s.teacherColumn() != null);
        if (readsLogits && classes != logitsWidth) {
            throw new IllegalArgumentException("distillery.train.student.num-classes is " + classes
                    + " but the teacher logits of dataset " + dataset + " have " + logitsWidth
                    + " classes; set it to 0 (= the logits' width)");
        }
        if (classes < 2) {
            throw new IllegalArgumentException(logits.get(0).label() + " needs a classifier: dataset " + dataset
                    + " has no teacher logits and " + names.size()
                    + " class name(s); set distillery.train.student.num-classes");
        }
        return classes;
    }

    private static int teacherWidth(FeatureMetadata md, String column, long[] target) {
        if (column.equals(FeatureColumns.TARGET)) {
            return (int) (target[0] * target[1]);
        }
        if (column.equals(FeatureColumns.LOGITS) && topK(md) != null) {
            return topK(md).classes();
        }
        return width(md, column);
    }

    /** The dataset's logits when it stores only their top k (null: full logits or none). */
    private static FeatureMetadata.Logits topK(FeatureMetadata md) {
        return md.storedLogits().filter(FeatureMetadata.Logits::topKOnly).orElse(null);
    }

    private static int width(FeatureMetadata md, String column) {
        long w = 1;
        for (long d : md.column(column).shape()) {
            w *= d;
        }
        return (int) w;
    }

    /** Per graph output, in order, the label blocks that fill its labels array. */
    static List<List<LabelSource>> labels(StudentObjective objective, FeatureMetadata md) {
        List<List<LabelSource>> out = new ArrayList<>();
        for (StudentObjective.Output o : objective.outputs()) {
            List<LabelSource> blocks = new ArrayList<>();
            FeatureMetadata.Logits topK = topK(md);
            if (o.teacherWidth() > 0 && o.teacherColumn().equals(FeatureColumns.LOGITS) && topK != null) {
                TensorDType dtype = TensorDType.fromId(
                        md.column(FeatureColumns.LOGITS_TOPK_VALUE).dtype());
                blocks.add(new TopKLogitsColumns(topK.classes(), topK.topK(), dtype));
            } else if (o.teacherWidth() > 0) {
                String dtype = o.teacherColumn().equals(FeatureColumns.TARGET)
                        ? md.target().dtype()
                        : md.column(o.teacherColumn()).dtype();
                blocks.add(new PackedColumn(o.teacherColumn(), TensorDType.fromId(dtype), o.teacherWidth()));
            }
            if (o.classes() > 0) {
                String who = o.terms().stream()
                        .filter(LossSpec::needsLabels)
                        .map(LossSpec::label)
                        .findFirst()
                        .orElseThrow();
                blocks.add(new ClassColumn(FeatureColumns.LABEL, o.classes(), who));
            }
            out.add(blocks);
        }
        return out;
    }
}
