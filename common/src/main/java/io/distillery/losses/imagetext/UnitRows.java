package io.distillery.losses.imagetext;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code F.normalize(x, dim=1)}: u = x / max(|x|, 1e-12) row by row, with its backward. Where |x| > eps,
 * dx = (du - u (u . du)) / |x|; where the clamp is active (a zero row), dx = du / eps, as autograd gives.
 */
final class UnitRows {
    /** F.normalize's default eps. */
    static final double EPS = 1e-12;

    private final INDArray denominators; // [N, 1]
    private final boolean[] clamped;
    private final INDArray unit;

    UnitRows(INDArray x) {
        double[] norms = x.norm2(true, 1).data().asDouble();
        clamped = new boolean[norms.length];
        for (int i = 0; i < norms.length; i++) {
            clamped[i] = !(norms[i] > EPS);
            norms[i] = clamped[i] ? EPS : norms[i];
        }
        denominators = Nd4j.create(norms, new long[] {norms.length, 1}, 'c');
        unit = x.divColumnVector(denominators);
    }

    /** The unit rows u [N, D]. */
    INDArray unit() {
        return unit;
    }

    /** dL/dx from dL/du. */
    INDArray backward(INDArray dUnit) {
        double[] radial = dUnit.mul(unit).sum(true, 1).data().asDouble();
        for (int i = 0; i < radial.length; i++) {
            if (clamped[i]) {
                radial[i] = 0; // the clamped denominator is a constant: no radial term
            }
        }
        INDArray radialColumn = Nd4j.create(radial, new long[] {radial.length, 1}, 'c');
        return dUnit.sub(unit.mulColumnVector(radialColumn)).diviColumnVector(denominators);
    }
}
