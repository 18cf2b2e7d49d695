package io.distillery.model.kernels;

/**
 * The per-row reductions of the layer norms: sums that a scalar loop computes one dependent add at a time.
 * SIMD lanes with the Vector API when the JVM has it, else eight independent partial sums.
 */
interface RowSums {
    /** Sum of a[off .. off+len). */
    float sum(float[] a, int off, int len);

    /** Sum of (a[i] - mean)^2 over a[off .. off+len). */
    float centeredSquares(float[] a, int off, int len, float mean);

    /** Sum of a[i] * b[i] over [off .. off+len). */
    float dot(float[] a, float[] b, int off, int len);

    RowSums INSTANCE =
            Elementwise.VectorSupport.AVAILABLE ? (RowSums) Elementwise.VectorSupport.INSTANCE : new Scalar();

    /** Eight partial sums: enough independent adds to fill the pipeline without SIMD. */
    final class Scalar implements RowSums {
        @Override
        public float sum(float[] a, int off, int len) {
            float[] p = new float[8];
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                for (int j = 0; j < 8; j++) {
                    p[j] += a[off + i + j];
                }
            }
            float s = 0;
            for (; i < len; i++) {
                s += a[off + i];
            }
            return s + ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
        }

        @Override
        public float centeredSquares(float[] a, int off, int len, float mean) {
            float[] p = new float[8];
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                for (int j = 0; j < 8; j++) {
                    float c = a[off + i + j] - mean;
                    p[j] += c * c;
                }
            }
            float s = 0;
            for (; i < len; i++) {
                float c = a[off + i] - mean;
                s += c * c;
            }
            return s + ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
        }

        @Override
        public float dot(float[] a, float[] b, int off, int len) {
            float[] p = new float[8];
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                for (int j = 0; j < 8; j++) {
                    p[j] += a[off + i + j] * b[off + i + j];
                }
            }
            float s = 0;
            for (; i < len; i++) {
                s += a[off + i] * b[off + i];
            }
            return s + ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
        }
    }
}
