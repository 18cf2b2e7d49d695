package io.distillery.losses;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code pkt}: Probabilistic Knowledge Transfer (Passalis &amp; Tefas, ECCV 2018) with the cosine kernel, as
 * torchdistill's {@code PKTLoss.cosine_similarity_loss} computes it on features [N, D_s] and [N, D_t]:
 * <pre>
 *   u_i = x_i / (|x_i| + eps);   A = (U U^T + 1) / 2;   Q = A / rowsum(A)     (P likewise from the teacher)
 *   L   = mean_ij P_ij log((P_ij + eps) / (Q_ij + eps))                      (mean over all N^2 entries)
 * </pre>
 * Only the batch's pairwise similarity structure is matched, so the widths may differ and no projection is
 * needed. Backward, in double: G = -P / (N^2 (Q + eps)); dA = (G - rowsum(G o Q)) / rowsum(A); dS = dA / 2;
 * dU = (dS + dS^T) U; dx_i = du_i / (|x_i| + eps) - (du_i . x_i) x_i / ((|x_i| + eps)^2 |x_i|), the last term
 * taken as 0 for a zero row.
 */
public final class PktLoss implements LossTerm {
    public static final String TYPE = "pkt";

    private final double eps;

    public PktLoss(double eps) {
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
        Tensors.requireSameRows(student, teacher, TYPE);
        INDArray x = student.castTo(DataType.DOUBLE);
        INDArray norms = x.norm2(true, 1); // [N, 1]
        INDArray denom = norms.add(eps);
        INDArray u = x.divColumnVector(denom);
        INDArray[] studentKernel = kernel(u);
        INDArray[] teacherKernel = kernel(unit(teacher.castTo(DataType.DOUBLE)));
        INDArray q = studentKernel[0];
        INDArray p = teacherKernel[0];
        long n = x.size(0);
        double loss = p.mul(Transforms.log(p.add(eps).divi(q.add(eps)), false))
                .meanNumber()
                .doubleValue();

        INDArray g = p.neg().divi(q.add(eps)).divi((double) n * n);
        INDArray dA = g.subColumnVector(g.mul(q).sum(true, 1)).diviColumnVector(studentKernel[1]);
        INDArray dS = dA.muli(0.5);
        INDArray dU = dS.add(dS.transpose()).mmul(u);
        // 0/0 for a zero row, whose radial term is 0
        INDArray radial =
                zeroWhereNaN(dU.mul(x).sum(true, 1).divi(denom.mul(denom).muli(norms)));
        INDArray grad = dU.divColumnVector(denom).subi(x.mulColumnVector(radial));
        return new LossValue(loss, grad.castTo(student.dataType()));
    }

    private INDArray unit(INDArray x) {
        return x.divColumnVector(x.norm2(true, 1).addi(eps));
    }

    /** Row-normalised kernel Q = A / rowsum(A) with A = (U U^T + 1) / 2, and rowsum(A) [N, 1]. */
    private static INDArray[] kernel(INDArray u) {
        INDArray a = u.mmul(u.transpose()).addi(1.0).divi(2.0);
        INDArray rowSums = a.sum(true, 1);
        return new INDArray[] {a.divColumnVector(rowSums), rowSums};
    }

    private static INDArray zeroWhereNaN(INDArray a) {
        double[] v = a.dup().data().asDouble();
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                v[i] = 0;
            }
        }
        return Nd4j.create(v, a.shape(), 'c');
    }
}
