package io.distillery.losses.imagetext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code afd}: CLIP-KD's augmented feature distillation: per modality, the normalised student embedding and the
 * teacher's are concatenated and fused by a learnable Linear, and the fused pairs are trained contrastively:
 * <pre>
 *   h_img = [normalize(s_img), t_img] W_v^T + b_v,   h_txt = [normalize(s_txt), t_txt] W_t^T + b_t    ([N, D_s])
 *   F = f normalize(h_img) normalize(h_txt)^T,       loss = (CE(F, arange N) + CE(F^T, arange N)) / 2
 * </pre>
 * The loss owns W_v, W_t [D_s, D_s + D_t], b_v, b_t [D_s] ({@code visual_fusion_proj}, {@code text_fusion_proj};
 * torch's default Linear init) and the scalar f, {@code fusion_logit_scale}. Reference quirk, kept: f is initialised
 * to ln(1/0.07) like a log scale but multiplies the logits WITHOUT exp. The student enters at its own width D_s
 * (the Linear's input is D_s + D_t, as the reference sizes it; the reference would feed it the student projected
 * to D_t, which only fits when D_s = D_t). Backward: dF = (rowsoftmax(F) + colsoftmax(F) - 2I) / (2N);
 * dh through the normalisation; dW = dh^T [u, t], db = colsum(dh), and the student's share of dh W.
 */
public final class AugmentedFeatureDistillationLoss implements ImageTextLoss {
    public static final String TYPE = "afd";
    public static final String VISUAL_FUSION = "visual_fusion_proj";
    public static final String TEXT_FUSION = "text_fusion_proj";
    public static final String FUSION_LOGIT_SCALE = "fusion_logit_scale";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<LearnableParameter> parameters(long studentWidth, long teacherWidth) {
        List<LearnableParameter> parameters = new ArrayList<>();
        parameters.addAll(List.of(LearnableParameter.linear(VISUAL_FUSION, studentWidth + teacherWidth, studentWidth)));
        parameters.addAll(List.of(LearnableParameter.linear(TEXT_FUSION, studentWidth + teacherWidth, studentWidth)));
        parameters.add(LearnableParameter.scalar(FUSION_LOGIT_SCALE, LearnableParameter.INITIAL_LOG_SCALE));
        return parameters;
    }

    @Override
    public ImageTextLossValue compute(ImageTextInputs inputs) {
        INDArray[] student = Checks.student(inputs, TYPE);
        INDArray[] teacher = Checks.teacher(inputs, TYPE, student[0].size(0));
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (LearnableParameter p : parameters(student[0].size(1), teacher[0].size(1))) {
            values.put(p.name(), Checks.parameter(inputs, TYPE, p));
        }
        double scale = values.get(FUSION_LOGIT_SCALE).getDouble(0);
        Fusion image = new Fusion(student[0], teacher[0], values, VISUAL_FUSION);
        Fusion text = new Fusion(student[1], teacher[1], values, TEXT_FUSION);
        INDArray cosines = image.fused.unit().mmul(text.fused.unit().transpose());
        Softmax.Scored scored = Softmax.symmetricCrossEntropy(cosines.mul(scale));
        INDArray g = scored.gradient();

        Map<String, INDArray> gradients = new LinkedHashMap<>();
        INDArray dImage = image.backward(g.mmul(text.fused.unit()).muli(scale), gradients);
        INDArray dText = text.backward(g.transpose().mmul(image.fused.unit()).muli(scale), gradients);
        gradients.put(FUSION_LOGIT_SCALE, Nd4j.scalar(g.mul(cosines).sumNumber().doubleValue()));
        Map<String, INDArray> typed = new LinkedHashMap<>();
        gradients.forEach((name, gradient) ->
                typed.put(name, gradient.castTo(inputs.parameters().get(name).dataType())));
        return new ImageTextLossValue(
                scored.value(),
                dImage.castTo(inputs.studentImage().dataType()),
                dText.castTo(inputs.studentText().dataType()),
                0,
                typed);
    }

    /** One modality's normalise, concatenate, Linear, normalise, and its way back. */
    private static final class Fusion {
        private final String name;
        private final UnitRows student;
        private final INDArray concatenated;
        private final INDArray weight;
        private final UnitRows fused;

        Fusion(INDArray student, INDArray teacher, Map<String, INDArray> values, String name) {
            this.name = name;
            this.student = new UnitRows(student);
            this.concatenated = Nd4j.hstack(this.student.unit(), teacher);
            this.weight = values.get(name + ".weight");
            INDArray bias = values.get(name + ".bias");
            this.fused = new UnitRows(concatenated.mmul(weight.transpose()).addiRowVector(bias));
        }

        /** dL/d(raw student) from dL/d(normalised fused); puts the Linear's gradients into {@code gradients}. */
        INDArray backward(INDArray dFusedUnit, Map<String, INDArray> gradients) {
            INDArray dFused = fused.backward(dFusedUnit);
            gradients.put(name + ".weight", dFused.transpose().mmul(concatenated));
            gradients.put(name + ".bias", dFused.sum(0));
            INDArray dConcatenated = dFused.mmul(weight);
            long width = student.unit().size(1);
            return student.backward(dConcatenated.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        }
    }
}
