/**
 * The feature dataset format shared by the extract job, the training job and other teams: column names,
 * tensor packing (fp16 / bf16 / fp32 little-endian bytes) and the versioned metadata. See docs/feature-format.md.
 */
package io.distillery.features;
