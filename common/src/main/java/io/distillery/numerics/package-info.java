/**
 * Guards against non-finite numbers: a NaN or Inf in a checkpoint, a teacher output or a stored target poisons
 * everything computed from it, so each is stopped where it enters (load, write) with the tensor named.
 */
package io.distillery.numerics;
