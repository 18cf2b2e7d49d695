#!/usr/bin/env python3
"""Golden values for io.distillery.losses: each KD loss written in PyTorch the way its reference code writes it.

Run from this folder with a PyTorch that has autograd (tested with the Debian build, torch 1.13):
    /usr/bin/python3 generate.py
It rewrites <loss>.json here. Every case holds the inputs, the parameters, the loss and the gradient with respect
to the student input (autograd), all in float64 and written with repr() so Java reads back the exact doubles.
Seeds are fixed, so a rerun gives identical files.

The functions below are transcriptions of the reference implementations (named in each docstring), not
re-derivations: the Java code is derived by hand from the formulas, so agreement checks both.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def ce_loss(logits_student, target, label_smoothing=0.0):
    """Cross-entropy, mean over the batch (mdistiller's `F.cross_entropy(logits_student, target)`), with PyTorch's
    own label smoothing (Szegedy et al. 2016) when label_smoothing > 0."""
    return F.cross_entropy(logits_student, target, label_smoothing=label_smoothing)


def kd_loss(logits_student, logits_teacher, temperature):
    """mdistiller/distillers/KD.py `kd_loss` (Hinton et al. 2015): batch-mean KL(p_t || p_s) at T, times T^2."""
    log_pred_student = F.log_softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    loss_kd = F.kl_div(log_pred_student, pred_teacher, reduction="none").sum(1).mean()
    loss_kd *= temperature ** 2
    return loss_kd


def _get_gt_mask(logits, target):
    target = target.reshape(-1)
    return torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1).bool()


def _get_other_mask(logits, target):
    target = target.reshape(-1)
    return torch.ones_like(logits).scatter_(1, target.unsqueeze(1), 0).bool()


def cat_mask(t, mask1, mask2):
    t1 = (t * mask1).sum(dim=1, keepdims=True)
    t2 = (t * mask2).sum(1, keepdims=True)
    return torch.cat([t1, t2], dim=1)


def dkd_loss(logits_student, logits_teacher, target, alpha, beta, temperature):
    """mdistiller/distillers/DKD.py `dkd_loss` (Zhao et al., CVPR 2022), line for line; the DKD module multiplies
    it by min(epoch / warmup, 1), passed here as `warmup_factor` by the caller below."""
    gt_mask = _get_gt_mask(logits_student, target)
    other_mask = _get_other_mask(logits_student, target)
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    pred_student = cat_mask(pred_student, gt_mask, other_mask)
    pred_teacher = cat_mask(pred_teacher, gt_mask, other_mask)
    log_pred_student = torch.log(pred_student)
    tckd_loss = (F.kl_div(log_pred_student, pred_teacher, reduction="sum")  # size_average=False in mdistiller
                 * (temperature ** 2) / target.shape[0])
    pred_teacher_part2 = F.softmax(logits_teacher / temperature - 1000.0 * gt_mask, dim=1)
    log_pred_student_part2 = F.log_softmax(logits_student / temperature - 1000.0 * gt_mask, dim=1)
    nckd_loss = (F.kl_div(log_pred_student_part2, pred_teacher_part2, reduction="sum")
                 * (temperature ** 2) / target.shape[0])
    return alpha * tckd_loss + beta * nckd_loss


def lskd_normalize(logit):
    """sunshangquan/logit-standardization-KD (Sun et al., CVPR 2024) `normalize`: z-score with the unbiased std
    (torch.std's default) and 1e-7 added to the std, not the variance."""
    mean = logit.mean(dim=-1, keepdims=True)
    stdv = logit.std(dim=-1, keepdims=True)
    return (logit - mean) / (1e-7 + stdv)


def lskd_loss(logits_student_in, logits_teacher_in, temperature):
    """The same repository's `kd_loss(..., logit_stand=True)`: KD on standardized logits at the base temperature,
    still scaled by T^2."""
    return kd_loss(lskd_normalize(logits_student_in), lskd_normalize(logits_teacher_in), temperature)


def hidden_loss(student_reps, teacher_reps):
    """TinyBERT (huawei-noah/Pretrained-Language-Model, TinyBERT/task_distill.py): `loss_mse(student_rep,
    teacher_rep)` with nn.MSELoss() (mean over every element); FitNets' hint loss up to the constant."""
    return F.mse_loss(student_reps, teacher_reps)


def attention_loss(student_att, teacher_att):
    """TinyBERT's attention term: nn.MSELoss() between the student's and teacher's [N, H, T, T] attention maps.
    (The released code also zeroes entries <= -100, i.e. masked pre-softmax scores; on probabilities that rule
    never fires, so it is left out here and in Java.)"""
    return F.mse_loss(student_att, teacher_att)


def pkt_loss(student_outputs, teacher_outputs, eps=0.0000001):
    """torchdistill losses/mid_level.py `PKTLoss.cosine_similarity_loss` (Passalis & Tefas, ECCV 2018; identical
    to the authors' `cosine_similarity_loss` in passalis/probabilistic_kt)."""
    norm_s = torch.sqrt(torch.sum(student_outputs ** 2, dim=1, keepdim=True))
    student_outputs = student_outputs / (norm_s + eps)
    student_outputs = torch.where(student_outputs != student_outputs,
                                  torch.zeros_like(student_outputs), student_outputs)  # in-place `[x != x] = 0`
    norm_t = torch.sqrt(torch.sum(teacher_outputs ** 2, dim=1, keepdim=True))
    teacher_outputs = teacher_outputs / (norm_t + eps)
    teacher_outputs = torch.where(teacher_outputs != teacher_outputs,
                                  torch.zeros_like(teacher_outputs), teacher_outputs)
    student_similarity = torch.mm(student_outputs, student_outputs.transpose(0, 1))
    teacher_similarity = torch.mm(teacher_outputs, teacher_outputs.transpose(0, 1))
    student_similarity = (student_similarity + 1.0) / 2.0
    teacher_similarity = (teacher_similarity + 1.0) / 2.0
    student_similarity = student_similarity / torch.sum(student_similarity, dim=1, keepdim=True)
    teacher_similarity = teacher_similarity / torch.sum(teacher_similarity, dim=1, keepdim=True)
    return torch.mean(teacher_similarity * torch.log((teacher_similarity + eps) / (student_similarity + eps)))


def cosine_loss(student, teacher, eps=1e-8):
    """1 - cosine similarity per sample, mean over the batch (DistilBERT's cosine embedding loss with target 1,
    i.e. nn.CosineEmbeddingLoss's positive branch). Written out with each norm clamped at eps, as
    F.cosine_similarity does from torch 1.12 on, so the result does not depend on the torch version."""
    dot = (student * teacher).sum(dim=1)
    ns = student.norm(dim=1).clamp_min(eps)
    nt = teacher.norm(dim=1).clamp_min(eps)
    return (1.0 - dot / (ns * nt)).mean()


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, fn, student, teacher=None, labels=None, params=None, extra=None):
    student = student.clone().requires_grad_(True)
    args = [student] + ([teacher] if teacher is not None else []) + ([labels] if labels is not None else [])
    loss = fn(*args, **(extra or {}))
    loss.backward()
    out = {"name": name, "params": params or {}, "student": tensor_json(student)}
    if teacher is not None:
        out["teacher"] = tensor_json(teacher)
    if labels is not None:
        out["labels"] = [int(v) for v in labels.tolist()]
    out["loss"] = float(loss)
    out["grad"] = tensor_json(student.grad)
    return out


def write(loss_name, cases):
    with open(os.path.join(HERE, loss_name + ".json"), "w") as f:
        json.dump({"loss": loss_name, "generator": "generate.py", "torch": torch.__version__, "cases": cases},
                  f, indent=1)
        f.write("\n")


def main():
    g = torch.Generator().manual_seed(15)

    def randn(*shape, scale=1.0):
        return torch.randn(*shape, generator=g) * scale

    n, c = 5, 7
    s, t = randn(n, c, scale=2.0), randn(n, c, scale=3.0)
    y = torch.randint(0, c, (n,), generator=g)
    equal = torch.full((n, c), 0.5)

    write("ce", [
        case("random", ce_loss, s, labels=y),
        case("single_sample", ce_loss, s[:1], labels=y[:1]),
        case("equal_logits", ce_loss, equal, labels=y),
        case("label_smoothing_0.1", lambda a, l: ce_loss(a, l, 0.1), s, labels=y, params={"label-smoothing": 0.1}),
        case("label_smoothing_0.3_single_sample", lambda a, l: ce_loss(a, l, 0.3), s[:1], labels=y[:1],
             params={"label-smoothing": 0.3}),
    ])

    kd_cases = []
    for temp in (4.0, 1.0, 2.5):
        kd_cases.append(case("random_T%g" % temp, lambda a, b: kd_loss(a, b, temp), s, t,
                             params={"temperature": temp}))
    kd_cases.append(case("single_sample", lambda a, b: kd_loss(a, b, 4.0), s[:1], t[:1], params={"temperature": 4.0}))
    kd_cases.append(case("equal_student", lambda a, b: kd_loss(a, b, 4.0), equal, t, params={"temperature": 4.0}))
    kd_cases.append(case("student_is_teacher", lambda a, b: kd_loss(a, b, 4.0), t, t, params={"temperature": 4.0}))
    write("kd", kd_cases)

    dkd_cases = []
    for label, alpha, beta, temp, factor in (("defaults", 1.0, 8.0, 4.0, 1.0), ("T1_half_warmup", 1.0, 8.0, 1.0, 0.5),
                                             ("alpha2_beta3_T2", 2.0, 3.0, 2.0, 1.0)):
        dkd_cases.append(case(label, lambda a, b, l: factor * dkd_loss(a, b, l, alpha, beta, temp), s, t, y,
                              params={"alpha": alpha, "beta": beta, "temperature": temp, "warmup_factor": factor}))
    dkd_cases.append(case("single_sample", lambda a, b, l: dkd_loss(a, b, l, 1.0, 8.0, 4.0), s[:1], t[:1], y[:1],
                          params={"alpha": 1.0, "beta": 8.0, "temperature": 4.0, "warmup_factor": 1.0}))
    dkd_cases.append(case("equal_student", lambda a, b, l: dkd_loss(a, b, l, 1.0, 8.0, 4.0), equal, t, y,
                          params={"alpha": 1.0, "beta": 8.0, "temperature": 4.0, "warmup_factor": 1.0}))
    write("dkd", dkd_cases)

    lskd_cases = []
    for temp in (2.0, 1.0):
        lskd_cases.append(case("random_T%g" % temp, lambda a, b: lskd_loss(a, b, temp), s, t,
                               params={"temperature": temp}))
    lskd_cases.append(case("single_sample", lambda a, b: lskd_loss(a, b, 2.0), s[:1], t[:1],
                           params={"temperature": 2.0}))
    # a scaled and shifted copy of the teacher standardizes to (almost) the teacher itself
    lskd_cases.append(case("student_affine_of_teacher", lambda a, b: lskd_loss(a, b, 2.0), 0.3 * t + 1.0, t,
                           params={"temperature": 2.0}))
    lskd_cases.append(case("equal_teacher", lambda a, b: lskd_loss(a, b, 2.0), s, equal, params={"temperature": 2.0}))
    write("lskd", lskd_cases)

    hs, ht = randn(3, 4, 6), randn(3, 4, 6)
    write("hidden", [
        case("random", hidden_loss, hs, ht),
        case("single_sample", hidden_loss, hs[:1], ht[:1]),
    ])

    sa = torch.softmax(randn(2, 3, 4, 4), dim=-1)
    ta = torch.softmax(randn(2, 3, 4, 4, scale=2.0), dim=-1)
    write("attention", [
        case("random", attention_loss, sa, ta),
        case("single_sample", attention_loss, sa[:1], ta[:1]),
    ])

    ps, pt = randn(6, 5), randn(6, 9)
    write("pkt", [
        case("random_widths_differ", pkt_loss, ps, pt),
        case("two_samples", pkt_loss, ps[:2], pt[:2]),
        case("single_sample", pkt_loss, ps[:1], pt[:1]),
    ])

    cs, ct = randn(4, 6), randn(4, 6)
    write("cosine", [
        case("random", cosine_loss, cs, ct),
        case("single_sample", cosine_loss, cs[:1], ct[:1]),
        case("scaled_copy", cosine_loss, 3.0 * ct, ct),
    ])


if __name__ == "__main__":
    main()
