/**
 * Image decoding and the torchvision-compatible preprocessing ({@code to_tensor} + {@code normalize}) that
 * turns 8-bit RGB images into the float32 NCHW batches the models take.
 */
package io.distillery.image;
