#!/usr/bin/python3
"""Golden data2vec text targets with a padding mask, for TextTargetsGoldenTest (run from this folder:
/usr/bin/python3 generate.py). Needs PyTorch (Debian's python3-torch, 1.13) and numpy.

Inputs are the tiny random BERT of ../bert (its generate.py is imported: same weights, same six rows of 12 tokens
with right padding, left padding, a pair, and a row without any real token). The forward below is that file's
bert_forward, also returning each layer's FFN branch: output.dense(gelu(intermediate.dense(a))) before the residual
and the output LayerNorm (fairseq AltBlock's `t` with ffn_targets, layer_norm_first = False).

The targets follow fairseq's Data2VecMultiModel.make_targets (examples/data2vec/models/data2vec2.py) with
instance_norm_target_layer = True and layer_norm_targets as given:
    target_layer_results = y[-num_layers:]
    tl -> F.instance_norm(tl.transpose(1, 2)).transpose(1, 2)     # per (sample, channel) over the tokens
    y = sum(target_layer_results) / num_layers
    if layer_norm_targets: y = F.layer_norm(y, y.shape[-1:])       # per token over the channels
with ONE deliberate deviation: the instance-norm mean and (biased) variance are taken over the real tokens only
(attention_mask 1), not over every position of the padded batch, so a sentence's targets do not depend on how much
padding its batch happened to get. Padded positions are then set to 0. A row without real tokens is all 0.
eps = 1e-5 for both norms (F.instance_norm / F.layer_norm defaults), no affine.

The reference is computed in float64 from the float32 layer tensors and stored as float32. Writes ffn_01.npy,
ffn_02.npy (float32 [B, T, D], the float32 forward) and target_<tensor>_top<K>[_noln].npy (float32 [B, T, D]).
Every run writes the same bytes.
"""

import importlib.util
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-5


def load_bert_generator():
    spec = importlib.util.spec_from_file_location("bert_generate", os.path.join(HERE, "..", "bert", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forward_with_ffn(g, w, input_ids, attention_mask, token_type_ids):
    """g.bert_forward in float32, returning (hidden_states, ffn_outputs)."""
    w = {k: v.to(torch.float32) for k, v in w.items()}
    p = "bert."
    b, t = input_ids.shape
    d, h, eps = g.D, g.H, g.EPS
    hd = d // h
    position_ids = torch.arange(t, dtype=torch.int64).unsqueeze(0)
    x = F.embedding(input_ids, w[p + "embeddings.word_embeddings.weight"])
    x = x + F.embedding(token_type_ids, w[p + "embeddings.token_type_embeddings.weight"])
    x = x + F.embedding(position_ids, w[p + "embeddings.position_embeddings.weight"])
    x = F.layer_norm(x, (d,), w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], eps)
    keep = attention_mask.bool()[:, None, None, :].expand(b, 1, t, t)
    mask = torch.where(keep, torch.tensor(0.0), torch.finfo(torch.float32).min)
    hidden, ffn = [x], []
    for n in range(g.L):
        q_ = f"{p}encoder.layer.{n}."

        def lin(name, v):
            return F.linear(v, w[q_ + name + ".weight"], w[q_ + name + ".bias"])

        def heads(v):
            return v.view(b, t, -1, hd).transpose(1, 2)

        scores = torch.matmul(heads(lin("attention.self.query", x)), heads(lin("attention.self.key", x)).transpose(2, 3))
        probs = F.softmax(scores * hd**-0.5 + mask, dim=-1)
        context = torch.matmul(probs, heads(lin("attention.self.value", x))).transpose(1, 2).reshape(b, t, -1)
        a = F.layer_norm(
            lin("attention.output.dense", context) + x,
            (d,),
            w[q_ + "attention.output.LayerNorm.weight"],
            w[q_ + "attention.output.LayerNorm.bias"],
            eps,
        )
        f = lin("output.dense", F.gelu(lin("intermediate.dense", a)))
        x = F.layer_norm(f + a, (d,), w[q_ + "output.LayerNorm.weight"], w[q_ + "output.LayerNorm.bias"], eps)
        hidden.append(x)
        ffn.append(f)
    return hidden, ffn


def masked_instance_norm(tl, real):
    """F.instance_norm(tl.transpose(1, 2)).transpose(1, 2), the statistics over real tokens only. tl [B, T, D]."""
    m = real[:, :, None].to(tl.dtype)  # [B, T, 1]
    count = m.sum(dim=1, keepdim=True).clamp(min=1)
    mean = (tl * m).sum(dim=1, keepdim=True) / count
    var = (((tl - mean) * m) ** 2).sum(dim=1, keepdim=True) / count
    return (tl - mean) / torch.sqrt(var + EPS)


def make_targets(layers, real, top_k, layer_norm_targets):
    used = [masked_instance_norm(tl.double(), real) for tl in layers[-top_k:]]
    y = used[0]
    for tl in used[1:]:
        y = y + tl
    y = y / len(used)
    if layer_norm_targets:
        y = F.layer_norm(y, y.shape[-1:], eps=EPS)
    return y * real[:, :, None].double()  # padded positions (and rows without real tokens) are 0


def main():
    g = load_bert_generator()
    torch.manual_seed(17)
    weights = g.make_weights()  # the same draws as ../bert/generate.py (seed 17 first, then the weights)
    ids, mask, types = g.make_inputs()
    with torch.no_grad():
        hidden, ffn = forward_with_ffn(g, weights, ids, mask, types)
    stored = [np.load(os.path.join(HERE, "..", "bert", f"hidden_states_{n:02d}.npy")) for n in range(g.L + 1)]
    for n, (mine, theirs) in enumerate(zip(hidden, stored)):
        diff = float(np.abs(mine.numpy() - theirs).max())
        assert diff < 1e-6, f"hidden state {n} differs from ../bert by {diff}: the weights or inputs changed"
    for n, f in enumerate(ffn, start=1):
        np.save(os.path.join(HERE, f"ffn_{n:02d}.npy"), f.numpy().astype("<f4"))
    real = mask.bool()
    per_tensor = {"block": [torch.from_numpy(s) for s in stored[1:]], "ffn": ffn}
    for tensor, layers in per_tensor.items():
        for top_k in (1, 2):
            for layer_norm_targets in (True, False):
                y = make_targets(layers, real, top_k, layer_norm_targets)
                name = f"target_{tensor}_top{top_k}{'' if layer_norm_targets else '_noln'}.npy"
                np.save(os.path.join(HERE, name), y.numpy().astype("<f4"))
    print("wrote ffn_01..%02d.npy and %d target files" % (len(ffn), 8))


if __name__ == "__main__":
    main()
