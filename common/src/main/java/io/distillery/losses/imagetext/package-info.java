/**
 * Image–text (CLIP) distillation losses as plain math, after CLIP-KD (Yang et al., CVPR 2024; winycg/CLIP-KD
 * {@code src/open_clip/loss.py}, {@code KDClipLoss}): {@code clip} (the student's own InfoNCE), {@code fd} and
 * {@code mfd} (feature distillation), {@code icl} (interactive contrastive), {@code crd} (contrastive relational
 * distillation, the reference's {@code ckd_loss}), {@code gd} (gradient distillation) and {@code afd} (augmented
 * feature distillation). Each {@link io.distillery.losses.imagetext.ImageTextLoss} takes the student's raw image
 * and text embeddings and normalises them itself, as {@code KDClipLoss} does, and returns the loss with its
 * gradients w.r.t. both embeddings, the student's log logit scale and the learnable parameters it owns (declared by
 * {@link io.distillery.losses.imagetext.ImageTextLoss#parameters}, with torch's initialisation). The teacher side
 * is a constant. Inputs may be FLOAT or DOUBLE; the math runs in double and each gradient comes back in its
 * input's type. One process only: the reference's own world_size == 1 branch reads the normalised student features
 * before defining them (a bug), so these follow its multi-process branch with gathering as the identity, which
 * L2-normalises the student's features first. Student-to-teacher width projections, the weights of the terms and
 * the clamp of the student's logit scale to [0, ln 100] after each step are the trainer's.
 * {@link io.distillery.losses.imagetext.ImageTextLossRegistry} builds them by name from a config section;
 * {@code src/test/resources/losses/imagetext/generate.py} writes golden values from a PyTorch transcription of the
 * reference.
 */
package io.distillery.losses.imagetext;
