#!/usr/bin/env python3
"""Engine-speed reference: Distillery's teacher pass and student train step, in PyTorch eager, on equal threads.

Models (the rows of `distillery benchmark engine`; --img/--patch/--dim/--depth/--heads/--target-dim override a
preset's sizes, and the Java side always passes them, so both engines run the same shapes):
  beit-base          BEiT v2 base teacher: 224 px, patch 16, 12 x 768, 12 heads
  beit-small         the extract benchmark's teacher: 64 px, patch 8, 6 x 192, 3 heads
  d2v-student-base   data2vec 2.0 student: 224 px, patch 16, 6 x 768, 12 heads, regressing 768-wide targets
  d2v-student-small  the train benchmark's student: 64 px, patch 8, 3 x 128, 4 heads, 192-wide targets (projection)

--mode forward: torch.inference_mode() forward of the whole batch plus the data2vec targets (teacher: every
  block's FFN branch gamma_2 * mlp(norm2(x)), CLS dropped, instance norm over tokens, average over all blocks,
  layer norm without affine, eps 1e-5: io.distillery.targets.ContextualizedTargets with TargetRecipe.defaults).
--mode train: one step = zero_grad, forward, d2v loss, backward, global grad-norm clip 4.0, AdamW
  (lr 5e-4, betas 0.9/0.95, weight decay 0.05 on matrices only), as `distillery train` configures it.

The BEiT v2 model follows timm's Beit (pre-norm blocks, q_bias/v_bias, gamma_1/gamma_2 layer scale, per-block
relative position bias with 3 extra CLS entries, exact GELU, LayerNorm eps 1e-6, no absolute positions); timm
itself is not needed. Weights are random (seed 0): speed does not depend on their values.

Threads: torch.set_num_threads(--threads); OpenBLAS (Debian's pthread build) sizes its own pool from
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, which must be set by the caller before Python starts (the Java side does).

Prints one JSON line: median ms per iteration, images/s, analytic FLOPs per image, a 1024^3 gemm's GFLOP/s on
the same threads (is the BLAS the optimised one?), peak RSS (KiB), versions and the thread environment.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_student_step import Student  # noqa: E402  (the P3 student, with an optional projection)

PRESETS = {
    "beit-base": dict(family="beit", img=224, patch=16, dim=768, depth=12, heads=12, target_dim=None),
    "beit-small": dict(family="beit", img=64, patch=8, dim=192, depth=6, heads=3, target_dim=None),
    "d2v-student-base": dict(family="student", img=224, patch=16, dim=768, depth=6, heads=12, target_dim=768),
    "d2v-student-small": dict(family="student", img=64, patch=8, dim=128, depth=3, heads=4, target_dim=192),
}
TARGET_EPS = 1e-5  # TargetRecipe.DEFAULT_EPS, both target normalisations


def relative_position_index(grid):
    """timm's gen_relative_position_index: [T, T] indices into a ((2g-1)^2 + 3)-row table (last 3: CLS pairs)."""
    n = (2 * grid - 1) ** 2 + 3
    coords = torch.stack(torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += grid - 1
    rel[:, :, 1] += grid - 1
    rel[:, :, 0] *= 2 * grid - 1
    index = torch.zeros((grid * grid + 1,) * 2, dtype=torch.long)
    index[1:, 1:] = rel.sum(-1)
    index[0, 0:] = n - 3
    index[0:, 0] = n - 2
    index[0, 0] = n - 1
    return index


class BeitAttention(nn.Module):
    def __init__(self, dim, heads, grid):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(dim))
        self.register_buffer("k_bias", torch.zeros(dim), persistent=False)
        self.v_bias = nn.Parameter(torch.zeros(dim))
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * grid - 1) ** 2 + 3, heads))
        self.register_buffer("relative_position_index", relative_position_index(grid), persistent=False)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = F.linear(x, self.qkv.weight, torch.cat((self.q_bias, self.k_bias, self.v_bias)))
        q, k, v = qkv.reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(t, t, -1)
        attn = (attn + bias.permute(2, 0, 1).contiguous().unsqueeze(0)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact (erf) GELU


class BeitBlock(nn.Module):
    def __init__(self, dim, heads, grid, mlp_ratio, init_values):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = BeitAttention(dim, heads, grid)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.gamma_1 = nn.Parameter(init_values * torch.ones(dim))
        self.gamma_2 = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        x = x + self.gamma_1 * self.attn(self.norm1(x))
        ffn = self.gamma_2 * self.mlp(self.norm2(x))
        return x + ffn, ffn


class Beit(nn.Module):
    """timm Beit up to the last block (the targets need no final norm or head); parameter names are timm's, so a
    timm-format state dict (e.g. Distillery's export) loads with load_state_dict(strict=False)."""

    def __init__(self, img, patch, dim, depth, heads, mlp_ratio=4.0, init_values=0.1):
        super().__init__()
        grid = img // patch
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.blocks = nn.ModuleList(BeitBlock(dim, heads, grid, mlp_ratio, init_values) for _ in range(depth))

    def forward(self, images):
        x = self.patch_embed.proj(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1)
        ffns = []
        for block in self.blocks:
            x, ffn = block(x)
            ffns.append(ffn)
        return x, ffns


def d2v_targets(per_block):
    """ContextualizedTargets.compute with TargetRecipe.defaults(len(per_block)): FFN branches, patch tokens."""
    y = sum(F.instance_norm(f[:, 1:].transpose(1, 2), eps=TARGET_EPS).transpose(1, 2) for f in per_block)
    y = y / len(per_block)
    return F.layer_norm(y, y.shape[-1:], eps=TARGET_EPS)


def forward_flops(img, patch, dim, depth, heads, mlp_ratio=4.0, target_dim=None):
    """Multiply-add FLOPs (2 m n k per matmul) of one image's forward pass; elementwise ops ignored.
    Same formula as io.distillery.bench.EngineFlops."""
    patches = (img // patch) ** 2
    t = patches + 1
    hidden = int(round(dim * mlp_ratio))
    embed = 2 * patches * 3 * patch * patch * dim
    block = 2 * t * dim * 3 * dim + 2 * 2 * t * t * dim + 2 * t * dim * dim + 2 * 2 * t * dim * hidden
    head = 2 * patches * dim * target_dim if target_dim and target_dim != dim else 0
    return embed + depth * block + head


def gemm_gflops(n=1024, reps=5):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def adamw(model):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}],
                             lr=5e-4, betas=(0.9, 0.95))


def build(a):
    if a.family == "beit":
        model = Beit(a.img, a.patch, a.dim, a.depth, a.heads)
        for name, p in model.named_parameters():
            if p.ndim >= 2 and "relative_position" not in name:
                nn.init.trunc_normal_(p, std=0.02)
        return model, lambda images: d2v_targets(model(images)[1])
    model = Student(a.img, a.patch, a.dim, a.depth, a.heads, target_dim=a.target_dim)
    return model, model


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=sorted(PRESETS), required=True)
    p.add_argument("--mode", choices=["forward", "train"], required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--iters", type=int, default=10, help="timed iterations (the median is reported)")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--min-seconds", type=float, default=0,
                   help="keep timing past --iters until this many seconds of timed iterations")
    for key in ("img", "patch", "dim", "depth", "heads", "target-dim"):
        p.add_argument("--" + key, type=int, help="override the preset's " + key)
    a = p.parse_args()
    for key, value in PRESETS[a.model].items():
        if getattr(a, key, None) is None:
            setattr(a, key, value)
    if a.family == "beit" and a.mode == "train":
        p.error("the teacher is frozen: --mode train needs a d2v-student model")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        if os.environ.get(var) != str(a.threads):
            print(f"warning: {var}={os.environ.get(var)} but --threads {a.threads}: OpenBLAS may run another "
                  "number of threads than torch", file=sys.stderr)
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model, run = build(a)
    images = torch.randn(a.batch, 3, a.img, a.img)
    target_dim = a.target_dim or a.dim

    if a.mode == "forward":
        model.eval()

        def step():
            with torch.inference_mode():
                run(images)
    else:
        opt = adamw(model)
        target = torch.randn(a.batch, (a.img // a.patch) ** 2, target_dim)

        def step():
            opt.zero_grad()
            y = run(images)
            loss = ((y - target) ** 2).sum(-1).div(math.sqrt(target_dim)).mean()  # d2v_loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 4.0)
            opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    while len(times) < a.iters or sum(times) < a.min_seconds:
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    median = sorted(times)[len(times) // 2]
    flops = forward_flops(a.img, a.patch, a.dim, a.depth, a.heads,
                          target_dim=a.target_dim if a.family == "student" else None)
    print(json.dumps({
        "model": a.model, "mode": a.mode, "batch": a.batch, "threads": a.threads,
        "ms_per_iter": median * 1000, "images_per_second": a.batch / median,
        "times_ms": [round(x * 1000, 2) for x in times],
        "flops_per_image": flops * (3 if a.mode == "train" else 1),
        "gemm_gflops": gemm_gflops(),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "env": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
    }))


if __name__ == "__main__":
    main()
