/**
 * The training objective as configured: {@link io.distillery.objective.LossSpec} (one weighted term of
 * {@code distillery.train.losses}, with what it reads from the dataset) and
 * {@link io.distillery.objective.TermLossFunction}, the DL4J loss function that sums weighted
 * {@link io.distillery.losses.LossTerm}s on one graph output. The math stays in {@code io.distillery.losses}; this
 * package only adapts it to DL4J's conventions (summed gradients, label arrays, JSON-serialisable configs).
 */
package io.distillery.objective;
