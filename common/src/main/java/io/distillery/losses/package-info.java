/**
 * Knowledge-distillation losses as plain math: each {@link io.distillery.losses.LossTerm} returns the loss value and
 * its gradient with respect to the student's input (the teacher side is a constant, as every KD recipe detaches
 * it), for FLOAT or DOUBLE arrays. {@link io.distillery.losses.LossRegistry} builds them by name from a config
 * section. Each class names the reference implementation it follows; {@code src/test/resources/losses/generate.py}
 * writes golden values from PyTorch transcriptions of those references.
 */
package io.distillery.losses;
