/**
 * data2vec 2.0 contextualized targets (fairseq {@code Data2VecMultiModel.make_targets}): the single
 * implementation shared by the teacher-target extraction job and the student's loss.
 */
package io.distillery.targets;
