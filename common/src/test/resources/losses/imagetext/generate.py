#!/usr/bin/env python3
"""Golden values for io.distillery.losses.imagetext: the CLIP-KD losses written the way the reference writes them.

Run from this folder with a PyTorch that has autograd (tested with the Debian build, torch 1.13):
    /usr/bin/python3 generate.py
It rewrites <loss>.json here. Every case holds the inputs, the loss and autograd's gradients with respect to the
student's image and text embeddings, the student's log logit scale and every learnable parameter the loss owns, all
in float64 and written with repr() so Java reads back the exact doubles. Seeds are fixed: a rerun gives identical
files.

`KDClipLoss`, `get_grad`, `DistillKL` and `ClipLoss` below are line-for-line transcriptions of winycg/CLIP-KD
src/open_clip/loss.py (commit e151019), reduced to one process (world_size 1: gathering is the identity) with these
deliberate differences, each marked where it happens:
  * the reference's world_size == 1 branch reads `normalized_image_features` (and the teacher's gathered tensors)
    before defining them; the multi-process branch is taken instead, with all_* = the local tensors;
  * the student-to-teacher width projection (`visual_proj`/`text_proj`) is the caller's job in Distillery, so it is
    left out: fd, icl and gd get a student already at the teacher's width;
  * `.cuda()` is dropped and every term is returned unweighted (the alpha_* weights are the trainer's).
The Java code is derived by hand from the formulas, so agreement checks both.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def get_grad(p, k, tau, targets):
    """CLIP-KD `get_grad`: the InfoNCE gradients w.r.t. anchors p and keys k at 'temperature' tau. The reference
    passes the (exp'd) logit scale as tau, so the logits are divided by it; transcribed as is."""
    logits = p @ k.T / tau
    targets = F.one_hot(targets, num_classes=logits.size(1)).double()  # .float() in the reference; float64 here
    prob = F.softmax(logits, 1)
    grad_p = (prob - targets) @ k / tau / targets.size(0)
    embed_size = p.size(1)
    prob_targets_repeat = (prob - targets).t().repeat(1, embed_size).view(-1, embed_size, p.size(0))
    grad_k = (prob_targets_repeat * (p.t() / tau).unsqueeze(0)).sum(-1) / targets.size(0)
    return grad_p, grad_k


class ClipLoss(nn.Module):
    """CLIP-KD (= open_clip) `ClipLoss.forward`, world_size 1 branch (which is correct there); unused below except
    as a cross-check that KDClipLoss's task loss equals it on normalised features."""

    def forward(self, image_features, text_features, logit_scale):
        logits_per_image = logit_scale * image_features @ text_features.T
        logits_per_text = logit_scale * text_features @ image_features.T
        num_logits = logits_per_image.shape[0]
        labels = torch.arange(num_logits, dtype=torch.long)
        total_loss = (
            F.cross_entropy(logits_per_image, labels) +
            F.cross_entropy(logits_per_text, labels)
        ) / 2
        return total_loss


class DistillKL(nn.Module):
    """CLIP-KD `DistillKL` (Hinton KD, batchmean KL, times T^2)."""

    def __init__(self, T):
        super(DistillKL, self).__init__()
        self.T = T

    def forward(self, y_s, y_t):
        p_s = F.log_softmax(y_s / self.T, dim=1)
        p_t = F.softmax(y_t / self.T, dim=1)
        loss = F.kl_div(p_s, p_t, reduction='batchmean') * (self.T ** 2)
        return loss


class KDClipLoss(nn.Module):
    """CLIP-KD `KDClipLoss` for one process. `kl_temperature` is DistillKL's T (1 in the reference)."""

    def __init__(self, s_embed_dim, t_embed_dim, afd=True, kl_temperature=1.0):
        super().__init__()
        # (visual_proj / text_proj left out: the caller projects)
        if afd:
            self.visual_fusion_proj = nn.Linear(s_embed_dim + t_embed_dim, s_embed_dim)
            self.text_fusion_proj = nn.Linear(s_embed_dim + t_embed_dim, s_embed_dim)
        self.afd = afd
        self.kl_loss = DistillKL(T=kl_temperature)
        self.cross_logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.fusion_logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def forward(self, image_features, text_features, logit_scale, t_image_features, t_text_features, t_logit_scale):
        # multi-process branch with world_size 1 (see the module docstring)
        all_image_features, all_text_features = image_features, text_features
        t_all_image_features, t_all_text_features = t_image_features, t_text_features

        t_logits_per_image = t_logit_scale * t_all_image_features @ t_all_text_features.T
        t_logits_per_text = t_logits_per_image.T

        normalized_image_features = F.normalize(image_features, dim=1)
        normalized_text_features = F.normalize(text_features, dim=1)
        normalized_all_image_features = F.normalize(all_image_features, dim=1)
        normalized_all_text_features = F.normalize(all_text_features, dim=1)

        # local_loss False
        logits_per_image = logit_scale * normalized_all_image_features @ normalized_all_text_features.T
        logits_per_text = logits_per_image.T
        del normalized_image_features, normalized_text_features  # used only by the local_loss branch

        num_logits = logits_per_image.shape[0]
        labels = torch.arange(num_logits, dtype=torch.long)

        # (projection to the teacher's width left out: the caller projects)
        normalized_all_image_features = F.normalize(all_image_features, dim=1)
        normalized_all_text_features = F.normalize(all_text_features, dim=1)
        terms = {}
        if normalized_all_image_features.size(1) == t_all_image_features.size(1):
            terms["fd"] = F.mse_loss(normalized_all_image_features, t_all_image_features) + \
                F.mse_loss(normalized_all_text_features, t_all_text_features)

            logits_per_s_image_to_t_text = self.cross_logit_scale * normalized_all_image_features @ t_all_text_features.T
            logits_per_s_text_to_t_image = self.cross_logit_scale * normalized_all_text_features @ t_all_image_features.T

            terms["icl"] = (
                F.cross_entropy(logits_per_s_image_to_t_text, labels) +
                F.cross_entropy(logits_per_s_text_to_t_image, labels)
            ) / 2

        terms["clip"] = (
            F.cross_entropy(logits_per_image, labels) +
            F.cross_entropy(logits_per_text, labels)
        ) / 2

        terms["crd"] = (self.kl_loss(logits_per_image, t_logits_per_image.detach()) +
                        self.kl_loss(logits_per_text, t_logits_per_text.detach())) / 2

        if normalized_all_image_features.size(1) == t_all_image_features.size(1):
            with torch.no_grad():
                t_grad_p_img, t_grad_k_txt = get_grad(t_all_image_features, t_all_text_features, t_logit_scale, labels)
                t_grad_p_txt, t_grad_k_img = get_grad(t_all_text_features, t_all_image_features, t_logit_scale, labels)

            s_grad_p_img, s_grad_k_txt = get_grad(normalized_all_image_features, normalized_all_text_features,
                                                  logit_scale, labels)
            s_grad_p_txt, s_grad_k_img = get_grad(normalized_all_text_features, normalized_all_image_features,
                                                  logit_scale, labels)

            terms["gd"] = F.mse_loss(s_grad_p_img, t_grad_p_img.detach()) + \
                F.mse_loss(s_grad_k_txt, t_grad_k_txt.detach()) + \
                F.mse_loss(s_grad_p_txt, t_grad_p_txt.detach()) + \
                F.mse_loss(s_grad_k_img, t_grad_k_img.detach())

        if self.afd:
            img_fusion_feat = torch.cat([normalized_all_image_features, t_all_image_features], dim=1)
            txt_fusion_feat = torch.cat([normalized_all_text_features, t_all_text_features], dim=1)
            img_fusion_feat = self.visual_fusion_proj(img_fusion_feat)
            txt_fusion_feat = self.text_fusion_proj(txt_fusion_feat)
            img_fusion_feat = F.normalize(img_fusion_feat, dim=1)
            txt_fusion_feat = F.normalize(txt_fusion_feat, dim=1)

            logits_per_fusion_image = self.fusion_logit_scale * img_fusion_feat @ txt_fusion_feat.T
            logits_per_fusion_text = logits_per_fusion_image.T
            terms["afd"] = (
                F.cross_entropy(logits_per_fusion_image, labels) +
                F.cross_entropy(logits_per_fusion_text, labels)
            ) / 2
        return terms


# which learnable parameters of KDClipLoss each term owns
OWNED = {
    "clip": [],
    "fd": [],
    "icl": ["cross_logit_scale"],
    "crd": [],
    "gd": [],
    "afd": ["visual_fusion_proj.weight", "visual_fusion_proj.bias", "text_fusion_proj.weight",
            "text_fusion_proj.bias", "fusion_logit_scale"],
}


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, loss, s_img, s_txt, t_img, t_txt, log_scale, t_scale, params=None, term=None, module_seed=0,
         owned_values=None):
    """One golden case: builds KDClipLoss (its Linear layers seeded by module_seed), optionally overrides owned
    parameters, and records the term `term` (default `loss`) with autograd gradients."""
    term = term or loss
    params = params or {}
    torch.manual_seed(module_seed)
    module = KDClipLoss(s_img.size(1), t_img.size(1), afd=(term == "afd"),
                        kl_temperature=params.get("temperature", 1.0))
    named = dict(module.named_parameters())
    with torch.no_grad():
        for key, value in (owned_values or {}).items():
            named[key].fill_(value)
    s_img = s_img.clone().requires_grad_(True)
    s_txt = s_txt.clone().requires_grad_(True)
    log_scale = torch.tensor(log_scale, requires_grad=True)
    logit_scale = log_scale.exp()  # what the CLIP model returns: self.logit_scale.exp()
    value = module(s_img, s_txt, logit_scale, t_img, t_txt, torch.tensor(t_scale))[term]
    value.backward()
    owned = OWNED[term]
    return {
        "name": name,
        "params": params,
        "inputs": {
            "student_image": tensor_json(s_img),
            "student_text": tensor_json(s_txt),
            "teacher_image": tensor_json(t_img),
            "teacher_text": tensor_json(t_txt),
            "student_log_scale": float(log_scale),
            "teacher_scale": float(t_scale),
            "parameters": {k: tensor_json(named[k]) for k in owned},
        },
        "loss": float(value),
        "grads": {
            "student_image": tensor_json(s_img.grad),
            "student_text": tensor_json(s_txt.grad),
            "student_log_scale": float(log_scale.grad) if log_scale.grad is not None else 0.0,
            "parameters": {k: tensor_json(named[k].grad) for k in owned},
        },
    }


def write(loss_name, cases):
    with open(os.path.join(HERE, loss_name + ".json"), "w") as f:
        json.dump({"loss": loss_name, "generator": "generate.py", "torch": torch.__version__, "cases": cases},
                  f, indent=1)
        f.write("\n")


def main():
    g = torch.Generator().manual_seed(2024)

    def randn(*shape, scale=1.0):
        return torch.randn(*shape, generator=g) * scale

    def unit(x):
        return F.normalize(x, dim=1)  # teacher embeddings arrive normalised (the CLIP model's forward)

    init = math.log(1 / 0.07)
    n, ds, dt = 6, 5, 8
    s_img, s_txt = randn(n, ds, scale=2.0), randn(n, ds, scale=0.5)
    sq_img, sq_txt = randn(n, dt, scale=2.0), randn(n, dt, scale=0.5)  # student already at the teacher's width
    t_img, t_txt = unit(randn(n, dt)), unit(randn(n, dt))
    # a teacher that aligned its pairs: text = image + noise
    t_img_a = unit(randn(n, dt))
    t_txt_a = unit(t_img_a + 0.3 * randn(n, dt))

    write("clip", [
        case("random_init_scale", "clip", s_img, s_txt, t_img, t_txt, init, 100.0),
        case("scale_ln50", "clip", s_img, s_txt, t_img, t_txt, math.log(50.0), 100.0),
        case("aligned_pairs", "clip", unit(t_img_a) * 3.0, t_txt_a[:, :dt], t_img, t_txt, 1.0, 100.0),
        case("single_sample", "clip", s_img[:1], s_txt[:1], t_img[:1], t_txt[:1], init, 100.0),
    ])

    write("fd", [
        case("random", "fd", sq_img, sq_txt, t_img, t_txt, init, 100.0),
        case("student_is_teacher_scaled", "fd", 4.0 * t_img_a, t_txt_a, t_img_a, t_txt_a, init, 100.0),
        case("single_sample", "fd", sq_img[:1], sq_txt[:1], t_img[:1], t_txt[:1], init, 100.0),
    ])

    write("icl", [
        case("init_scale", "icl", sq_img, sq_txt, t_img, t_txt, init, 100.0),
        case("scale_2p3_aligned_teacher", "icl", sq_img, sq_txt, t_img_a, t_txt_a, init, 100.0,
             owned_values={"cross_logit_scale": 2.3}),
    ])

    write("crd", [
        case("widths_differ_T1", "crd", s_img, s_txt, t_img_a, t_txt_a, init, 100.0, params={"temperature": 1.0}),
        case("same_width_teacher_scale_20", "crd", sq_img, sq_txt, t_img, t_txt, math.log(30.0), 20.0,
             params={"temperature": 1.0}),
        case("widths_differ_T2", "crd", s_img, s_txt, t_img_a, t_txt_a, init, 50.0, params={"temperature": 2.0}),
    ])

    write("gd", [
        case("init_scale", "gd", sq_img, sq_txt, t_img_a, t_txt_a, init, 100.0),
        case("small_scales", "gd", sq_img, sq_txt, t_img, t_txt, math.log(1.5), 2.0),
    ])

    write("afd", [
        case("widths_differ", "afd", s_img, s_txt, t_img_a, t_txt_a, init, 100.0, module_seed=1),
        case("same_width_scale_3", "afd", sq_img, sq_txt, t_img, t_txt, init, 100.0, module_seed=2,
             owned_values={"fusion_logit_scale": 3.0}),
    ])

    # mfd is fd on a masked-image student: same math, its own golden file so the registry name is checked too
    write("mfd", [
        case("random", "mfd", sq_img, sq_txt, t_img_a, t_txt_a, init, 100.0, term="fd"),
    ])


OWNED["mfd"] = OWNED["fd"]

if __name__ == "__main__":
    main()
