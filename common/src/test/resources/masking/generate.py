#!/usr/bin/env python3
"""Golden masks for io.distillery.masking: fairseq's own mask functions, run under PyTorch, with every random number
they drew written down so Java can replay the same draws and must produce the same masks.

Run from this folder with the Debian PyTorch (tested with torch 1.13):
    /usr/bin/python3 generate.py
It rewrites masks.json here. Seeds are fixed, so a rerun gives an identical file.

How the draws are captured. `compute_block_mask_2d` and `random_masking` below are verbatim copies of fairseq's
functions (MIT licence, commit FAIRSEQ_COMMIT). They draw random numbers in three ways:
  - torch.randint(0, L, (B, n)): the block centres; recorded as they come out.
  - torch.multinomial(w, k, replacement=False) with 0/1 weights w: PyTorch (>= 1.7, CPU and CUDA) implements it as
    q = empty_like(w).exponential_(1); topk(w / q, k), i.e. the k candidates (w = 1) with the smallest Exp(1) keys.
    The recorder saves the generator state, draws q exactly that way, restores the state, lets the real multinomial
    run, and checks that it picked the same set; q (one key per element of w, candidates or not) is recorded.
  - torch.rand(N, L): MAE's noise; recorded as it comes out.
A second, per-row implementation (`replay_block_mask` / `replay_random_mask`, written like the Java code) then
recomputes every row from the recorded draws alone and must give fairseq's mask; its per-row draw lists are what
masks.json stores. fairseq draws the whole batch's randint first and then row by row; a row's result depends only on
its own draws, so Java gives each row (each clone) its own stream, consumed in the same order within the row.
"""
import json
import math
import os
from collections import namedtuple
from typing import Optional, Tuple

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FAIRSEQ_COMMIT = "3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99"


# ---------------------------------------------------------------------------------------------------------------
# Verbatim from fairseq/data/data_utils.py (Copyright (c) Facebook, Inc. and its affiliates, MIT licence).
# ---------------------------------------------------------------------------------------------------------------
def compute_block_mask_2d(
    shape: Tuple[int, int],
    mask_prob: float,
    mask_length: int,
    mask_prob_adjust: float = 0,
    inverse_mask: bool = False,
    require_same_masks: bool = True,
    expand_adjcent: bool = False,
    mask_dropout: float = 0,
    non_overlapping: bool = False,
) -> torch.Tensor:

    assert mask_length > 1

    B, L = shape

    d = int(L**0.5)

    if inverse_mask:
        mask_prob = 1 - mask_prob

    if non_overlapping:
        sz = math.ceil(d / mask_length)
        inp_len = sz * sz

        inp = torch.zeros((B, 1, sz, sz))
        w = torch.ones((1, 1, mask_length, mask_length))

        mask_inds = torch.multinomial(
            1 - inp.view(B, -1),
            int(inp_len * (mask_prob + mask_prob_adjust) * (1 + mask_dropout)),
            replacement=False,
        )
        inp.view(B, -1).scatter_(1, mask_inds, 1)

        mask = torch.nn.functional.conv_transpose2d(inp, w, stride=mask_length).squeeze(
            1
        )
        if mask.size(-1) > d:
            mask = mask[..., :d, :d]
    else:
        mask = torch.zeros((B, d, d))
        mask_inds = torch.randint(
            0,
            L,
            size=(
                B,
                int(
                    L
                    * ((mask_prob + mask_prob_adjust) / mask_length**2)
                    * (1 + mask_dropout)
                ),
            ),
        )
        mask.view(B, -1).scatter_(1, mask_inds, 1)
        centers = mask.nonzero(as_tuple=True)

        inds = ([], [], [])

        offset = mask_length // 2
        for i in range(mask_length):
            for j in range(mask_length):
                k1 = i - offset
                k2 = j - offset
                inds[0].append(centers[0])
                inds[1].append(centers[1] + k1)
                inds[2].append(centers[2] + k2)

        i0 = torch.cat(inds[0])
        i1 = torch.cat(inds[1]).clamp_(min=0, max=d - 1)
        i2 = torch.cat(inds[2]).clamp_(min=0, max=d - 1)

        mask[(i0, i1, i2)] = 1

    def get_nbs(b, m, w):
        all_nbs = torch.nn.functional.conv2d(m.unsqueeze(1), w, padding="same")
        all_nbs = all_nbs.clamp_max_(1).view(b, -1)
        return all_nbs

    if require_same_masks and expand_adjcent:
        w = torch.zeros((1, 1, 3, 3))
        w[..., 0, 1] = 1
        w[..., 2, 1] = 1
        w[..., 1, 0] = 1
        w[..., 1, 2] = 1

        all_nbs = get_nbs(B, mask, w)

    mask = mask.reshape(B, -1)

    if require_same_masks:
        n_masks = mask.sum(dim=-1)
        final_target_len = int(L * (mask_prob))
        target_len = int(final_target_len * (1 + mask_dropout))

        for i in range(len(mask)):
            n = n_masks[i]
            m = mask[i]
            r = 0
            while expand_adjcent and n < target_len:
                if r == 0:
                    nbs = all_nbs[i]
                else:
                    nbs = get_nbs(1, m.view(1, d, d), w).flatten()

                cands = (1 - m + nbs) > 1
                cand_sz = int(cands.sum().item())

                assert cand_sz > 0, f"{nbs} {cand_sz}"

                to_mask = torch.multinomial(
                    cands.float(), min(cand_sz, int(target_len - n)), replacement=False
                )
                m[to_mask] = 1
                assert to_mask.numel() > 0
                n += to_mask.numel()
                r += 1

            if n > final_target_len:
                to_unmask = torch.multinomial(
                    m, int(n - final_target_len), replacement=False
                )
                m[to_unmask] = 0
            elif n < final_target_len:
                to_mask = torch.multinomial(
                    (1 - m), int(final_target_len - n), replacement=False
                )
                m[to_mask] = 1

    if inverse_mask:
        mask = 1 - mask

    return mask


# ---------------------------------------------------------------------------------------------------------------
# Verbatim from examples/data2vec/models/modalities/base.py (MIT licence): MAE's random masking, used by the image
# model when mask_length == 1.
# ---------------------------------------------------------------------------------------------------------------
MaskSeed = namedtuple("MaskSeed", ["seed", "update", "ids"])
MaskInfo = namedtuple("MaskInfo", ["x_unmasked", "mask", "ids_restore", "ids_keep"])


# adapted from MAE
def random_masking(x, mask_ratio, mask_seed: Optional[MaskSeed]):
    N, L, D = x.shape  # batch, length, dim
    len_keep = int(L * (1 - mask_ratio))

    generator = None
    if mask_seed is not None:
        seed = int(
            hash((mask_seed.seed, mask_seed.update, mask_seed.ids.sum().item())) % 1e6
        )
        generator = torch.Generator(device=x.device)
        generator.manual_seed(seed)

    noise = torch.rand(N, L, generator=generator, device=x.device)  # noise in [0, 1]

    # sort noise for each sample
    ids_shuffle = noise.argsort(dim=1)  # ascend: small is keep, large is remove
    ids_restore = ids_shuffle.argsort(dim=1)

    # keep the first subset
    ids_keep = ids_shuffle[:, :len_keep]
    ids_keep = ids_keep.unsqueeze(-1).expand(-1, -1, D)
    x_unmasked = torch.gather(x, dim=1, index=ids_keep)

    # generate the binary mask: 0 is keep, 1 is remove
    mask = torch.ones([N, L], dtype=x.dtype, device=x.device)
    mask[:, :len_keep] = 0
    # unshuffle to get the binary mask
    mask = torch.gather(mask, dim=1, index=ids_restore)

    ids_restore = ids_restore.unsqueeze(-1).expand(-1, -1, D)

    return MaskInfo(
        x_unmasked=x_unmasked, mask=mask, ids_restore=ids_restore, ids_keep=ids_keep
    )


# ---------------------------------------------------------------------------------------------------------------
# Recording the draws.
# ---------------------------------------------------------------------------------------------------------------
def smallest_keys(weights, keys, k):
    """Indices of the k candidates (weight 1) with the smallest keys, ties to the lower index (as Java does)."""
    cands = [i for i in range(len(weights)) if weights[i] > 0]
    cands.sort(key=lambda i: (keys[i], i))
    return set(cands[:k])


class Recorder:
    """Wraps torch.randint / torch.multinomial / torch.rand while fairseq's function runs; see the module doc."""

    def __init__(self):
        self.randint = []
        self.multinomial = []  # (weights [rows, n] as lists, keys [rows, n] as lists)
        self.rand = []

    def __enter__(self):
        self._saved = (torch.randint, torch.multinomial, torch.rand)
        real_randint, real_multinomial, real_rand = self._saved

        def randint(*args, **kwargs):
            out = real_randint(*args, **kwargs)
            self.randint.append(out.tolist())
            return out

        def multinomial(weights, k, replacement=False):
            assert not replacement
            state = torch.get_rng_state()
            keys = torch.empty_like(weights).exponential_(1)
            torch.set_rng_state(state)
            out = real_multinomial(weights, k, replacement=replacement)
            w2 = weights.reshape(-1, weights.size(-1)).tolist()
            q2 = keys.reshape(-1, keys.size(-1)).tolist()
            o2 = out.reshape(-1, out.size(-1)).tolist()
            for w, q, o in zip(w2, q2, o2):
                assert set(o) == smallest_keys(w, q, k), "multinomial is not topk(w / Exp(1)) on this PyTorch"
            self.multinomial.append((w2, q2))
            return out

        def rand(*args, **kwargs):
            out = real_rand(*args, **kwargs)
            self.rand.append(out.tolist())
            return out

        torch.randint, torch.multinomial, torch.rand = randint, multinomial, rand
        return self

    def __exit__(self, *exc):
        torch.randint, torch.multinomial, torch.rand = self._saved
        return False


# ---------------------------------------------------------------------------------------------------------------
# The per-row replay (what io.distillery.masking.BlockMask2d does), from explicit draws.
# ---------------------------------------------------------------------------------------------------------------
class RowDraws:
    def __init__(self, ints=(), keys=(), uniforms=()):
        self.ints, self.keys, self.uniforms = list(ints), list(keys), list(uniforms)
        self.used_ints, self.used_keys, self.used_uniforms = [], [], []

    def next_int(self):
        v = self.ints.pop(0)
        self.used_ints.append(v)
        return v

    def next_keys(self, n):
        v = [self.keys.pop(0) for _ in range(n)]
        self.used_keys.extend(v)
        return v

    def next_uniforms(self, n):
        v = [self.uniforms.pop(0) for _ in range(n)]
        self.used_uniforms.extend(v)
        return v


def choose(weights, k, draws):
    """torch.multinomial(weights, k, replacement=False) for 0/1 weights: one Exp(1) key per element."""
    keys = draws.next_keys(len(weights))
    return smallest_keys(weights, keys, k)


def replay_block_mask(side, mask_prob, mask_length, adjust, inverse, expand, dropout, non_overlapping, draws):
    L = side * side
    p = 1 - mask_prob if inverse else mask_prob
    m = [0] * L
    if non_overlapping:
        sz = math.ceil(side / mask_length)
        count = int(sz * sz * (p + adjust) * (1 + dropout))
        for cell in choose([1] * (sz * sz), count, draws):
            a, b = divmod(cell, sz)
            for i in range(a * mask_length, min(side, (a + 1) * mask_length)):
                for j in range(b * mask_length, min(side, (b + 1) * mask_length)):
                    m[i * side + j] = 1
    else:
        count = int(L * ((p + adjust) / mask_length**2) * (1 + dropout))
        offset = mask_length // 2
        for _ in range(count):
            c = draws.next_int()
            ci, cj = divmod(c, side)
            for i in range(mask_length):
                for j in range(mask_length):
                    ii = min(max(ci + i - offset, 0), side - 1)
                    jj = min(max(cj + j - offset, 0), side - 1)
                    m[ii * side + jj] = 1
    final = int(L * p)
    target = int(final * (1 + dropout))
    n = sum(m)
    while expand and n < target:
        cands = [0] * L
        for t in range(L):
            if m[t]:
                continue
            i, j = divmod(t, side)
            if (i > 0 and m[t - side]) or (i < side - 1 and m[t + side]) or (j > 0 and m[t - 1]) or (
                j < side - 1 and m[t + 1]
            ):
                cands[t] = 1
        for t in choose(cands, min(sum(cands), target - n), draws):
            m[t] = 1
            n += 1
    if n > final:
        for t in choose(m, n - final, draws):
            m[t] = 0
    elif n < final:
        for t in choose([1 - v for v in m], final - n, draws):
            m[t] = 1
    return [1 - v for v in m] if inverse else m


def replay_random_mask(tokens, ratio, draws):
    keep = int(tokens * (1 - ratio))
    noise = draws.next_uniforms(tokens)
    order = sorted(range(tokens), key=lambda t: (noise[t], t))
    m = [1] * tokens
    for t in order[:keep]:
        m[t] = 0
    return m


def bits(row):
    return "".join("1" if v else "0" for v in row)


def block_case(name, seed, batch, side, mask_prob, mask_length, adjust, inverse, expand, dropout, non_overlapping):
    torch.manual_seed(seed)
    with Recorder() as rec:
        expected = compute_block_mask_2d(
            shape=(batch, side * side),
            mask_prob=mask_prob,
            mask_length=mask_length,
            mask_prob_adjust=adjust,
            inverse_mask=inverse,
            require_same_masks=True,
            expand_adjcent=expand,
            mask_dropout=dropout,
            non_overlapping=non_overlapping,
        )
    expected = [[int(v) for v in row] for row in expected.tolist()]
    calls = list(rec.multinomial)
    first_keys = [[] for _ in range(batch)]
    ints = [[] for _ in range(batch)]
    if non_overlapping:
        _, q = calls.pop(0)  # the batched [B, sz*sz] call
        first_keys = q
    else:
        ints = rec.randint[0]
    rows = []
    for i in range(batch):
        # the per-row calls come in row order; give this row all that remain and let it take what it needs
        later = [k for _, qs in calls for k in qs[0]]
        draws = RowDraws(ints[i], list(first_keys[i]) + later)
        got = replay_block_mask(
            side, mask_prob, mask_length, adjust, inverse, expand, dropout, non_overlapping, draws
        )
        assert got == expected[i], f"{name}: replay differs from fairseq in row {i}"
        assert not draws.ints, f"{name}: row {i} left centres unused"
        used_later = len(draws.used_keys) - len(first_keys[i])
        while used_later > 0:
            used_later -= len(calls.pop(0)[1][0])
        assert used_later == 0
        rows.append({"ints": draws.used_ints, "exponentials": draws.used_keys, "mask": bits(got)})
    assert not calls, f"{name}: multinomial calls left over"
    return {
        "name": name,
        "kind": "block",
        "seed": seed,
        "side": side,
        "mask_prob": mask_prob,
        "mask_length": mask_length,
        "mask_prob_adjust": adjust,
        "inverse_mask": inverse,
        "expand_adjcent": expand,
        "mask_dropout": dropout,
        "non_overlapping": non_overlapping,
        "rows": rows,
    }


def random_case(name, seed, batch, tokens, ratio):
    torch.manual_seed(seed)
    with Recorder() as rec:
        info = random_masking(torch.zeros(batch, tokens, 1), ratio, None)
    expected = [[int(v) for v in row] for row in info.mask.tolist()]
    noise = rec.rand[0]
    rows = []
    for i in range(batch):
        assert len(set(noise[i])) == tokens, f"{name}: tied noise in row {i}, pick another seed"
        draws = RowDraws(uniforms=noise[i])
        got = replay_random_mask(tokens, ratio, draws)
        assert got == expected[i], f"{name}: replay differs from fairseq in row {i}"
        rows.append({"uniforms": draws.used_uniforms, "mask": bits(got)})
    return {"name": name, "kind": "random", "seed": seed, "tokens": tokens, "ratio": ratio, "rows": rows}


def main():
    cases = [
        # examples/data2vec/config/v2/base_images_only_task.yaml with the task's precompute_mask_config defaults
        block_case("d2v2-base-images", 0, 4, 14, 0.8, 3, 0.07, True, False, 0.0, False),
        # D2vModalityConfig defaults (mask_prob 0.7, mask_length 5), not inverted
        block_case("block-length5", 1, 3, 14, 0.7, 5, 0.0, False, False, 0.0, False),
        block_case("expand-adjacent", 2, 3, 14, 0.8, 3, 0.07, True, True, 0.0, False),
        block_case("dropout-even-length", 3, 3, 8, 0.6, 2, 0.05, True, True, 0.2, False),
        block_case("dropout-no-expand", 4, 3, 8, 0.5, 3, 0.1, False, False, 0.25, False),
        block_case("non-overlapping", 5, 3, 14, 0.8, 3, 0.07, True, False, 0.0, True),
        block_case("non-overlapping-crop", 6, 3, 7, 0.5, 4, 0.0, False, False, 0.0, True),
        block_case("grid-16", 7, 2, 16, 0.75, 3, 0.1, True, False, 0.0, False),
        random_case("mae-196", 8, 3, 196, 0.8),
        random_case("mae-49", 9, 3, 49, 0.75),
    ]
    out = {
        "generator": "generate.py",
        "torch": torch.__version__,
        "fairseq_commit": FAIRSEQ_COMMIT,
        "cases": cases,
    }
    with open(os.path.join(HERE, "masks.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
