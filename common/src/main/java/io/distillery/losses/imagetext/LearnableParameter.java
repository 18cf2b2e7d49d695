package io.distillery.losses.imagetext;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A parameter a loss owns and learns alongside the student (CLIP-KD keeps them in its {@code KDClipLoss} module):
 * its name (the reference's attribute name), its shape ({@code []} for a scalar) and how it starts.
 */
public record LearnableParameter(String name, long[] shape, Init init) {

    /** CLIP's logit-scale initialisation, {@code ln(1/0.07)}. */
    public static final double INITIAL_LOG_SCALE = Math.log(1 / 0.07);

    /** How a parameter's values start. */
    public sealed interface Init permits Constant, Uniform {}

    /** Every element {@code value}. */
    public record Constant(double value) implements Init {}

    /** Each element independently uniform in [-bound, bound). */
    public record Uniform(double bound) implements Init {}

    /** A scalar (shape {@code []}) starting at {@code value}. */
    static LearnableParameter scalar(String name, double value) {
        return new LearnableParameter(name, new long[0], new Constant(value));
    }

    /**
     * The weight [out, in] and bias [out] of torch's {@code nn.Linear(in, out)} with its default initialisation:
     * kaiming_uniform(a = sqrt(5)) for the weight, which is uniform(±1/sqrt(in)), and the same bound for the bias.
     */
    static LearnableParameter[] linear(String name, long in, long out) {
        Uniform init = new Uniform(1 / Math.sqrt(in));
        return new LearnableParameter[] {
            new LearnableParameter(name + ".weight", new long[] {out, in}, init),
            new LearnableParameter(name + ".bias", new long[] {out}, init)
        };
    }

    /** Element count of {@link #shape}. */
    long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** A fresh array of {@link #shape} in {@code type}, elements in C order from {@code random} for a uniform init. */
    INDArray initialise(SplittableRandom random, DataType type) {
        double[] values = new double[Math.toIntExact(length())];
        if (init instanceof Uniform u) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (2 * random.nextDouble() - 1) * u.bound();
            }
        } else {
            Arrays.fill(values, ((Constant) init).value());
        }
        if (shape.length == 0) {
            return Nd4j.scalar(DataType.DOUBLE, values[0]).castTo(type);
        }
        return Nd4j.create(values, shape, 'c').castTo(type);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + init;
    }
}
