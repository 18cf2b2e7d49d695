package io.distillery.masking;

/**
 * Draws recorded from fairseq's torch calls, handed out in order; {@link #assertAllUsed} fails when an algorithm
 * consumed fewer draws than fairseq made (so shape and order are checked, not only the result).
 */
final class ReplayedDraws implements MaskDraws {
    private final int[] ints;
    private final double[] exponentials;
    private final double[] uniforms;
    private int nextInt;
    private int nextExp;
    private int nextUniform;

    ReplayedDraws(int[] ints, double[] exponentials, double[] uniforms) {
        this.ints = ints;
        this.exponentials = exponentials;
        this.uniforms = uniforms;
    }

    @Override
    public int nextIndex(int bound) {
        if (nextInt == ints.length) {
            throw new AssertionError("more randint draws than fairseq made (" + ints.length + ")");
        }
        int v = ints[nextInt++];
        if (v < 0 || v >= bound) {
            throw new AssertionError("recorded randint " + v + " outside [0, " + bound + ")");
        }
        return v;
    }

    @Override
    public double nextUniform() {
        if (nextUniform == uniforms.length) {
            throw new AssertionError("more rand draws than fairseq made (" + uniforms.length + ")");
        }
        return uniforms[nextUniform++];
    }

    @Override
    public double nextExponential() {
        if (nextExp == exponentials.length) {
            throw new AssertionError("more exponential keys than fairseq drew (" + exponentials.length + ")");
        }
        return exponentials[nextExp++];
    }

    void assertAllUsed() {
        if (nextInt != ints.length || nextExp != exponentials.length || nextUniform != uniforms.length) {
            throw new AssertionError("draws left over: randint " + nextInt + "/" + ints.length + ", exponential "
                    + nextExp + "/" + exponentials.length + ", rand " + nextUniform + "/" + uniforms.length);
        }
    }
}
