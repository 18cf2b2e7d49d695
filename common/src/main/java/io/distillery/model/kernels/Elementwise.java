package io.distillery.model.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The elementwise work of a transformer step that is not memory-bound: exact GELU (erf) and its derivative, and
 * the row softmax of the attention scores. ND4J runs these as scalar libm calls (erf about 18 ns, exp 5 ns per
 * float on the build machine), which at 1M elements per MLP cost more than the gemms around them; the JDK's
 * Vector API does them in about 1 ns. Arrays are dense and of equal length where two or more are passed.
 */
public interface Elementwise {
    /** {@code out = x Phi(x)} and {@code cdf = Phi(x) = 0.5 (1 + erf(x / sqrt 2))} (not kept when null). */
    void geluForward(INDArray x, INDArray out, INDArray cdf);

    /**
     * {@code x += bias} (broadcast over the rows of x [rows, bias.length]) then {@link #geluForward}: the bias add of
     * the linear layer before the GELU, without a pass of its own over the widest tensor of the block.
     */
    default void biasGeluForward(INDArray x, INDArray bias, INDArray out, INDArray cdf) {
        x.addiRowVector(Blas.vector(bias));
        geluForward(x, out, cdf);
    }

    /** {@code dy *= Phi(x) + x phi(x)} (phi the standard normal density). */
    void geluBackwardInPlace(INDArray dy, INDArray x, INDArray cdf);

    /** Softmax along each row of a dense [rows, cols] matrix, in place. */
    void softmaxRows(INDArray scores);

    /** Softmax backward per row, in place: {@code dp = p * (dp - sum(dp * p))}. */
    void softmaxBackwardRows(INDArray dp, INDArray p);

    /**
     * The vectorised kernels for FLOAT when the JVM has {@code --add-modules jdk.incubator.vector} (deploy/jvm.args
     * adds it everywhere Distillery starts a JVM), else ND4J's ops (DOUBLE, or a JVM started without the flag).
     */
    static Elementwise of(DataType type) {
        if (type == DataType.FLOAT && VectorSupport.AVAILABLE) {
            return VectorSupport.INSTANCE;
        }
        return Nd4jElementwise.INSTANCE;
    }

    /** Loads the Vector API implementation only when its module is in the boot layer. */
    final class VectorSupport {
        static final boolean AVAILABLE =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                        && !Boolean.getBoolean("distillery.novector");
        static final Elementwise INSTANCE = AVAILABLE ? load() : null;

        private VectorSupport() {}

        private static Elementwise load() {
            try {
                return (Elementwise) Class.forName("io.distillery.model.kernels.VectorElementwise")
                        .getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("cannot load the Vector API kernels", e);
            }
        }
    }
}
