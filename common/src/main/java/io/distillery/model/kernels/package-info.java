/**
 * The native CPU engine: forward and backward of every encoder layer written directly with BLAS gemm on
 * row-major buffers and ND4J elementwise ops, instead of executing a SameDiff graph per layer. Layers keep their
 * DL4J configuration classes (parameter names, layout, JSON), so checkpoints, updaters, parameter averaging and
 * replicas on one parameter array are unchanged; {@link io.distillery.model.kernels.NativeEngine} decides which
 * implementation a layer gets.
 */
package io.distillery.model.kernels;
