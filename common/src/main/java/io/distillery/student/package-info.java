/**
 * The student side of distillation: the data2vec-style prediction head and loss over the student's own blocks, the
 * heads of the other configured losses ({@link io.distillery.student.StudentObjective}: classifier, pooled features,
 * block tokens, with learned projections), the training graph (encoder + heads + losses, AdamW-style updater,
 * warm-up + cosine schedule, clipping), the classification graph used by {@code finetune}, and moving weights between
 * training graphs, plain encoders and safetensors.
 */
package io.distillery.student;
