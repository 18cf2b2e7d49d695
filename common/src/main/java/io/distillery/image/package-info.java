/**
 * Images from encoded bytes to model input: guarded decoding to 8-bit RGB with PIL's colours
 * ({@link io.distillery.image.ImageDecoder}: a correct image or a rejection with a reason), the views the teacher
 * and the student see ({@link io.distillery.image.ViewSampler} chooses them reproducibly,
 * {@link io.distillery.image.ViewRenderer} renders them), and the torchvision-compatible {@code to_tensor} +
 * {@code normalize} that turns them into the float32 NCHW batches the models take.
 */
package io.distillery.image;
