/**
 * The feature dataset format shared by the extract job, the training job and other teams: column names,
 * tensor packing (fp16 / bf16 / fp32 little-endian bytes), the versioned metadata and the dataset's status record
 * ({@code _distillery/dataset.json}). See docs/feature-format.md.
 */
package io.distillery.features;
