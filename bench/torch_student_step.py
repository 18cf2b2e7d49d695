#!/usr/bin/env python3
"""P3 reference: one training step of the same data2vec 2.0-style student in PyTorch eager, on the same cores.

Same architecture and loss as Distillery's StudentGraph: patch embedding + CLS + fixed sin-cos positions +
embedding LayerNorm, post-norm blocks (fairseq AltBlock), targets built from each block's FFN output
(instance norm over patch tokens, block average, parameter-free layer norm), d2v loss (sum over D / sqrt(D),
mean over tokens and samples), AdamW. Prints one JSON line: {"ms_per_step": ..., "images_per_second": ...}.
Needs python3-torch (Debian) with OpenBLAS (libopenblas0-pthread), see docs/benchmarks.md.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
        self.fc2 = nn.Linear(int(dim * mlp_ratio), dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        a = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.norm1(x + self.proj(a))
        mlp = self.fc2(F.gelu(self.fc1(x)))
        return self.norm2(x + mlp), mlp


class Student(nn.Module):
    """target_dim: the teacher's width; when it differs from dim, a Linear projects the averaged student tokens
    before the final layer norm (Distillery's StudentTargetHead)."""

    def __init__(self, img, patch, dim, depth, heads, mlp_ratio=4.0, target_dim=None):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        grid = img // patch
        self.register_buffer("pos", sincos(grid, dim))
        self.norm_pre = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.proj = nn.Linear(dim, target_dim) if target_dim and target_dim != dim else None

    def forward(self, images):
        x = self.patch(images).flatten(2).transpose(1, 2) + self.pos
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1)
        x = self.norm_pre(x)
        layers = []
        for block in self.blocks:
            x, mlp = block(x)
            layers.append(mlp[:, 1:])
        y = sum(F.instance_norm(l.transpose(1, 2).float()).transpose(1, 2) for l in layers) / len(layers)
        if self.proj is not None:
            y = self.proj(y)
        return F.layer_norm(y, y.shape[-1:])


def sincos(grid, dim):
    def one(d, pos):
        omega = 1.0 / 10000 ** (torch.arange(d // 2, dtype=torch.float64) / (d / 2.0))
        out = pos.reshape(-1)[:, None] * omega[None]
        return torch.cat([out.sin(), out.cos()], 1)
    h, w = torch.meshgrid(torch.arange(grid, dtype=torch.float64), torch.arange(grid, dtype=torch.float64), indexing="ij")
    return torch.cat([one(dim // 2, w), one(dim // 2, h)], 1).float()[None]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--img", type=int, default=64)
    p.add_argument("--patch", type=int, default=8)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model = Student(a.img, a.patch, a.dim, a.depth, a.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.05)
    images = torch.randn(a.batch, 3, a.img, a.img)
    target = torch.randn(a.batch, (a.img // a.patch) ** 2, a.dim)

    def step():
        opt.zero_grad()
        y = model(images)
        loss = ((y - target) ** 2).sum(-1).div(math.sqrt(a.dim)).mean()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"ms_per_step": median * 1000, "images_per_second": a.batch / median,
                      "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
