package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@link Elementwise} with ND4J's ops: any data type, any JVM (the reference the vectorised kernels are tested against). */
final class Nd4jElementwise implements Elementwise {
    static final Nd4jElementwise INSTANCE = new Nd4jElementwise();
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    @Override
    public void geluForward(INDArray x, INDArray out, INDArray cdfOrNull) {
        INDArray cdf = cdfOrNull != null ? cdfOrNull : x.ulike();
        x.mul(INV_SQRT2, cdf);
        Nd4j.exec(new Erf(cdf, cdf));
        cdf.addi(1.0).muli(0.5);
        x.mul(cdf, out);
        if (cdfOrNull == null) {
            Release.close(cdf);
        }
    }

    @Override
    public void geluBackwardInPlace(INDArray dy, INDArray x, INDArray cdf) {
        INDArray density = x.mul(x).muli(-0.5);
        Transforms.exp(density, false);
        density.muli(x).muli(INV_SQRT_2PI).addi(cdf);
        dy.muli(density);
        Release.close(density);
    }

    @Override
    public void softmaxRows(INDArray scores) {
        Transforms.softmax(scores, false);
    }

    @Override
    public void softmaxBackwardRows(INDArray dp, INDArray p) {
        INDArray weighted = dp.mul(p);
        INDArray rowSums = weighted.sum(1);
        Release.close(weighted);
        dp.subiColumnVector(rowSums).muli(p);
        Release.close(rowSums);
    }
}
