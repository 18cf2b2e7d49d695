package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code cosine}: {@code 1 - cos(s_i, t_i)} averaged over the batch, on pooled or CLS features [N, D] (DistilBERT's
 * cosine embedding loss with target 1). Each norm is clamped at eps as {@code F.cosine_similarity} does:
 * <pre>
 *   L = (1/N) sum_i [ 1 - s_i.t_i / (a_i b_i) ],   a = max(|s|, eps), b = max(|t|, eps)
 *   dL/ds_i = -(1/N) [ t_i / (a_i b_i) - (s_i.t_i) s_i / (a_i^3 b_i) ]     (last term only where |s_i| > eps)
 * </pre>
 * Only the direction is matched, so student and teacher features may differ in scale.
 */
public final class CosineLoss implements LossTerm {
    public static final String TYPE = "cosine";

    private final double eps;

    public CosineLoss(double eps) {
        Tensors.requirePositive(eps, TYPE, "eps");
        this.eps = eps;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray student = inputs.student();
        INDArray teacher = inputs.requireTeacher(TYPE);
        Tensors.requireStudent(student, TYPE, 2, "[N, features]");
        Tensors.requireRank(teacher, TYPE, "teacher", 2, "[N, features]");
        Tensors.requireSameShape(student, teacher, TYPE);
        double[][] s = Tensors.rows(student);
        double[][] t = Tensors.rows(teacher);
        int n = s.length;
        double loss = 0;
        double[][] grad = new double[n][s[0].length];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            double ss = 0;
            double tt = 0;
            for (int j = 0; j < s[i].length; j++) {
                dot += s[i][j] * t[i][j];
                ss += s[i][j] * s[i][j];
                tt += t[i][j] * t[i][j];
            }
            double normS = Math.sqrt(ss);
            double a = Math.max(normS, eps);
            double b = Math.max(Math.sqrt(tt), eps);
            loss += 1 - dot / (a * b);
            double normTerm = normS > eps ? dot / (a * a * a * b) : 0;
            for (int j = 0; j < s[i].length; j++) {
                grad[i][j] = -(t[i][j] / (a * b) - normTerm * s[i][j]) / n;
            }
        }
        return new LossValue(loss / n, Tensors.of(grad, student.dataType()));
    }
}
