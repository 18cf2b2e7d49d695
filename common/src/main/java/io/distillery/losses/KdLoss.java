package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code kd}: Hinton et al. 2015, as mdistiller's {@code kd_loss} computes it on logits [N, C]:
 * <pre>
 *   L = T^2 (1/N) sum_i KL( softmax(t_i/T) || softmax(s_i/T) ),     dL/ds_i = (T/N) (p_s,i - p_t,i)
 * </pre>
 * The T^2 keeps the gradient's size roughly independent of T, so a KD weight tuned at one temperature carries over.
 */
public final class KdLoss implements LossTerm {
    public static final String TYPE = "kd";

    private final double temperature;

    public KdLoss(double temperature) {
        Tensors.requirePositive(temperature, TYPE, "temperature");
        this.temperature = temperature;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray[] pair = logitPair(inputs, TYPE);
        double[][] s = Tensors.rows(pair[0]);
        double[][] grad = new double[s.length][];
        double loss = divergence(s, Tensors.rows(pair[1]), temperature, grad);
        return new LossValue(loss, Tensors.of(grad, pair[0].dataType()));
    }

    /** Student and teacher logits, both [N, C] with the same shape. */
    static INDArray[] logitPair(LossInputs inputs, String loss) {
        INDArray student = inputs.student();
        INDArray teacher = inputs.requireTeacher(loss);
        Tensors.requireStudent(student, loss, 2, "[N, classes]");
        Tensors.requireRank(teacher, loss, "teacher", 2, "[N, classes]");
        Tensors.requireSameShape(student, teacher, loss);
        return new INDArray[] {student, teacher};
    }

    /** The KD loss of logit rows s against t; writes dL/ds into {@code grad} (rows allocated here). */
    static double divergence(double[][] s, double[][] t, double temperature, double[][] grad) {
        int n = s.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] logQ = RowSoftmax.logSoftmax(RowSoftmax.divide(s[i], temperature));
            double[] logP = RowSoftmax.logSoftmax(RowSoftmax.divide(t[i], temperature));
            double[] p = RowSoftmax.exp(logP);
            sum += RowSoftmax.kl(p, logP, logQ);
            double[] q = RowSoftmax.exp(logQ);
            grad[i] = new double[q.length];
            for (int j = 0; j < q.length; j++) {
                grad[i][j] = temperature / n * (q[j] - p[j]);
            }
        }
        return sum / n * temperature * temperature;
    }
}
