/**
 * Encoders as DL4J ComputationGraphs: configs and presets ({@link io.distillery.model.ModelConfigs}), graph
 * construction ({@link io.distillery.model.EncoderGraph}), forward passes exposing every block
 * ({@link io.distillery.model.Encoder}), strict checkpoint loading/export in timm naming
 * ({@link io.distillery.model.EncoderWeights}, {@link io.distillery.model.EncoderLoader}), fairseq key renaming and
 * layer inheritance.
 */
package io.distillery.model;
