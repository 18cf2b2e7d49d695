/**
 * data2vec 2.0 contextualized targets (fairseq {@code Data2VecMultiModel.make_targets}): the single
 * implementation shared by the teacher-target extraction job and the student's loss. {@link
 * io.distillery.targets.ContextualizedTargets} builds them for images, {@link io.distillery.targets.TextTargets} for
 * padded token sequences (statistics over real tokens only).
 */
package io.distillery.targets;
