/**
 * Reading and writing model checkpoints in the safetensors format
 * (<a href="https://huggingface.co/docs/safetensors">huggingface.co/docs/safetensors</a>): an 8-byte
 * little-endian header length, a UTF-8 JSON header mapping tensor names to dtype, shape and byte range (plus an
 * optional {@code __metadata__} string map), then the raw little-endian tensor data.
 *
 * <p>{@link io.distillery.checkpoint.SafetensorsFile} validates a file completely before trusting it, with the
 * official library's rules, and reports each problem as a one-line
 * {@link io.distillery.checkpoint.CheckpointFormatException} naming the file and the tensor; it reads tensors on
 * demand (files may exceed 2 GB). {@link io.distillery.checkpoint.SafetensorsWriter} writes the official
 * library's exact layout, so its output is byte-identical to Python's {@code save_file}, and writes atomically.
 * {@link io.distillery.checkpoint.HalfPrecision} holds the F16/BF16 conversions Java 17 lacks.
 */
package io.distillery.checkpoint;
