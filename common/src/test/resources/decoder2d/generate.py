#!/usr/bin/env python3
"""Reference outputs and gradients of data2vec 2.0's image decoder (fairseq's Decoder2d) for
io.distillery.model.layers.Decoder2d / io.distillery.model.kernels.Decoder2dMath.

Run from this folder with the Debian PyTorch (tested with torch 1.13):
    /usr/bin/python3 generate.py
It rewrites decoder2d.json here. Seeds are fixed, so a rerun gives an identical file.

The classes below are verbatim copies of fairseq's (MIT licence, commit FAIRSEQ_COMMIT): D2vDecoderConfig,
DecoderBase and Decoder2d from examples/data2vec/models/modalities/modules.py, SamePad2d and TransposeLast from
fairseq/modules, and fairseq's LayerNorm factory reduced to the branch it takes without CUDA/apex
(torch.nn.LayerNorm). Everything runs in float64. For each case: the input [B, T, C] (tokens row-major on the
grid), every parameter (under Distillery's names, with fairseq's state-dict key), the output [B, T, D_t], an
upstream gradient R and PyTorch autograd's gradients of sum(output * R) for the input and every parameter.
"""
import json
import os
from dataclasses import dataclass

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
FAIRSEQ_COMMIT = "3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99"


def LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, export=False):
    # fairseq/modules/layer_norm.py without the apex FusedLayerNorm branch (CUDA only)
    return torch.nn.LayerNorm(normalized_shape, eps, elementwise_affine)


# --- fairseq/modules/same_pad.py (verbatim) ---
class SamePad2d(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.remove = 1 if kernel_size % 2 == 0 else 0

    def forward(self, x):
        assert len(x.size()) == 4
        if self.remove > 0:
            x = x[:, :, : -self.remove, : -self.remove]
        return x


# --- fairseq/modules/transpose_last.py (verbatim) ---
class TransposeLast(nn.Module):
    def __init__(self, deconstruct_idx=None, tranpose_dim=-2):
        super().__init__()
        self.deconstruct_idx = deconstruct_idx
        self.tranpose_dim = tranpose_dim

    def forward(self, x):
        if self.deconstruct_idx is not None:
            x = x[self.deconstruct_idx]
        return x.transpose(self.tranpose_dim, -1)


# --- examples/data2vec/models/modalities/modules.py (verbatim) ---
@dataclass
class D2vDecoderConfig:
    decoder_dim: int = 384
    decoder_groups: int = 16
    decoder_kernel: int = 5
    decoder_layers: int = 5
    input_dropout: float = 0.1

    add_positions_masked: bool = False
    add_positions_all: bool = False

    decoder_residual: bool = True
    projection_layers: int = 1
    projection_ratio: float = 2.0


class DecoderBase(nn.Module):
    decoder_cfg: D2vDecoderConfig

    def __init__(self, cfg: D2vDecoderConfig):
        super().__init__()

        self.decoder_cfg = cfg

    def reset_parameters(self):
        for mod in self.proj.modules():
            if isinstance(mod, nn.Linear):
                mod.reset_parameters()

    def add_residual(self, x, residual, i, mask_info):
        if (
            residual is None
            or not self.decoder_cfg.decoder_residual
            or residual.size(1) != x.size(1)
        ):
            return x

        ret = x + residual

        return ret


class Decoder2d(DecoderBase):
    def __init__(self, cfg: D2vDecoderConfig, input_dim, h_size, w_size):
        super().__init__(cfg)

        self.h_size = h_size
        self.w_size = w_size

        def make_block(in_dim):
            block = [
                nn.Conv2d(
                    in_dim,
                    cfg.decoder_dim,
                    kernel_size=cfg.decoder_kernel,
                    padding=cfg.decoder_kernel // 2,
                    groups=cfg.decoder_groups,
                ),
                SamePad2d(cfg.decoder_kernel),
                TransposeLast(tranpose_dim=-3),
                LayerNorm(cfg.decoder_dim, elementwise_affine=False),
                TransposeLast(tranpose_dim=-3),
                nn.GELU(),
            ]

            return nn.Sequential(*block)

        self.blocks = nn.Sequential(
            *[
                make_block(input_dim if i == 0 else cfg.decoder_dim)
                for i in range(cfg.decoder_layers)
            ]
        )

        self.proj = nn.Linear(cfg.decoder_dim, input_dim)

    def forward(self, x, mask_info):
        B, T, C = x.shape

        x = x.transpose(1, 2).reshape(B, C, self.h_size, self.w_size)

        residual = x

        for i, layer in enumerate(self.blocks):
            x = layer(x)
            x = self.add_residual(x, residual, i, mask_info)
            residual = x

        x = x.reshape(B, -1, T).transpose(1, 2)
        x = self.proj(x)
        return x


# --- the cases ---
def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, seed, batch, height, width, input_dim, decoder_dim, target_dim, layers, kernel, groups, residual):
    torch.manual_seed(seed)
    cfg = D2vDecoderConfig(
        decoder_dim=decoder_dim,
        decoder_groups=groups,
        decoder_kernel=kernel,
        decoder_layers=layers,
        input_dropout=0.0,
        decoder_residual=residual,
    )
    decoder = Decoder2d(cfg, input_dim, height, width)
    if target_dim != input_dim:
        # Distillery regresses the teacher's width; fairseq's own model projects back to the encoder's
        decoder.proj = nn.Linear(decoder_dim, target_dim)
    with torch.no_grad():  # PyTorch's default init is small; spread the biases so no term hides
        for p in decoder.parameters():
            p.mul_(1.5)
    x = torch.randn(batch, height * width, input_dim, requires_grad=True)
    out = decoder(x, None)
    upstream = torch.randn_like(out)
    (out * upstream).sum().backward()

    names = {}
    for b in range(layers):
        names[f"conv{b}W"] = f"blocks.{b}.0.weight"
        names[f"conv{b}B"] = f"blocks.{b}.0.bias"
    names["projW"] = "proj.weight"
    names["projB"] = "proj.bias"
    state = dict(decoder.named_parameters())
    return {
        "name": name,
        "batch": batch,
        "height": height,
        "width": width,
        "input_dim": input_dim,
        "decoder_dim": decoder_dim,
        "target_dim": target_dim,
        "layers": layers,
        "kernel": kernel,
        "groups": groups,
        "residual": residual,
        "input": tensor(x),
        "params": {n: dict(key=k, **tensor(state[k])) for n, k in names.items()},
        "output": tensor(out),
        "upstream": tensor(upstream),
        "grads": dict({"input": tensor(x.grad)}, **{n: tensor(state[k].grad) for n, k in names.items()}),
    }


def main():
    cases = [
        # the brief's small decoder: 4x4 grid, width 16 in and out, 2 blocks, 4 groups, kernel 3 (block 0 residual)
        case("grid4-dim16-groups4", 0, 2, 4, 4, 16, 16, 16, 2, 3, 4, True),
        # rectangular grid, decoder wider than the encoder (no residual on block 0), even kernel (SamePad2d), target
        # width of its own
        case("rect-even-kernel-widen", 1, 2, 3, 5, 8, 12, 6, 3, 2, 4, True),
        # decoder_residual off, kernel larger than the grid, one group per channel
        case("no-residual-depthwise", 2, 1, 3, 3, 6, 6, 4, 2, 5, 6, False),
    ]
    out = {"generator": "generate.py", "torch": torch.__version__, "fairseq_commit": FAIRSEQ_COMMIT, "cases": cases}
    with open(os.path.join(HERE, "decoder2d.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
