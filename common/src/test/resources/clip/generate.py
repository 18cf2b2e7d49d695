#!/usr/bin/python3
"""Reference outputs of a tiny random open_clip ViT CLIP for the io.distillery.model.clip tests.

Run from this folder: /usr/bin/python3 generate.py. Needs only PyTorch (Debian's python3-torch, 1.13) and numpy;
open_clip is NOT imported. The model below is open_clip's CLIP forward written out in plain PyTorch, transcribed
from mlfoundations/open_clip (commit 89fb801f1e6087880e951fc8354b8a2077b79c6d):

- model.py _build_vision_tower / VisionTransformer (transformer.py), the defaults of CLIPVisionCfg:
  conv1 (kernel = stride = patch_size, no bias) -> [B, width, g, g] -> reshape + permute to [B, g*g, width];
  class_embedding prepended as token 0; + positional_embedding [g*g + 1, width]; ln_pre; the blocks; ln_post on
  every token, then pool_type 'tok' takes token 0 (the same numbers as final_ln_after_pool: LayerNorm is per
  token); pooled @ proj [width, embed_dim]. heads = width // head_width.
- model.py CLIP._encode_text (the text tower's tensors at the top level of CLIP):
  token_embedding(text) + positional_embedding; the blocks with attn_mask = build_causal_mask() (-inf above the
  diagonal, 0 elsewhere, added to the scores); ln_final; text_global_pool 'argmax': the token at text.argmax(-1)
  (the first maximal id, torch's rule); @ text_projection [width, embed_dim].
- transformer.py ResidualAttentionBlock: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), mlp = c_fc, act, c_proj,
  mlp_width = int(width * mlp_ratio); act = QuickGELU (x * sigmoid(1.702 x)) when quick_gelu else nn.GELU (erf).
- transformer.py Attention (the self-attention path, use_sdpa=False branch, which is SDPA's math):
  q, k, v = F.linear(x, in_proj_weight, in_proj_bias).chunk(3, -1); reshape(N, L, H, hd).transpose(1, 2);
  (q * hd**-0.5) @ k^T + attn_mask; softmax; @ v; transpose back; out_proj. The same block is also run through
  torch.nn.MultiheadAttention (what open_clip used before its own Attention class, and what in_proj_weight's
  packing comes from) and the two are asserted equal here.
- LayerNorm: F.layer_norm with eps 1e-5 (nn.LayerNorm's default, open_clip's LayerNorm subclass keeps it).
- CLIP.get_logits: logit_scale.exp() * normalize(image) @ normalize(text).T, F.normalize = x / max(|x|, 1e-12).

Writes (little-endian, C order):
- weights.safetensors: the state_dict of open_clip's CLIP for these sizes, open_clip's names (visual.conv1.weight,
  visual.transformer.resblocks.0.attn.in_proj_weight, token_embedding.weight, text_projection, logit_scale, ...),
  float32, written by hand (8-byte header length, JSON header padded with spaces to a multiple of 8, raw data).
  One set of weights serves both configs below (quick_gelu changes no tensor).
- ViT-tiny.json and ViT-tiny-quickgelu.json: open_clip model configs (the format of src/open_clip/model_configs).
- pixels.npy (float32 [B, 3, 32, 32], already normalised), text.npy (int64 [B, 16]: SOT 98, ids 1..97, EOT 99 = the
  highest id, 0 padding; row 3 holds EOT twice, so pooling takes the first).
- gelu/ and quickgelu/: image_features.npy [B, 32], text_features.npy [B, 32], logits_per_image.npy [B, B],
  image_hidden_00..02.npy ([B, 17, 64]: after ln_pre, then each block's output), text_hidden_00..02.npy
  ([B, 16, 48]: the embeddings, then each block's output).
- report.json: torch version, logit_scale, and for every output how far this float32 reference is from the same
  forward in float64 (max abs), with each output's max |value|.
Every run writes the same bytes (fixed seeds, one thread).
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(23)

VISION = {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32}
TEXT = {"context_length": 16, "vocab_size": 100, "width": 48, "heads": 2, "layers": 2}
EMBED_DIM = 32
MLP_RATIO = 4.0
EPS = 1e-5
LOGIT_SCALE = 2.75  # stored as a log, as open_clip does (init log(1/0.07) = 2.659...)
BATCH = 4
SOT, EOT = 98, 99


def randn(*shape, std=1.0, mean=0.0):
    return (torch.randn(*shape, dtype=torch.float64) * std + mean).to(torch.float32)


def block(prefix, width):
    # larger than open_clip's init so that attention is far from uniform and the activations see both tails
    mlp = int(width * MLP_RATIO)
    return {
        prefix + "ln_1.weight": randn(width, std=0.2, mean=1.0),
        prefix + "ln_1.bias": randn(width, std=0.2),
        prefix + "attn.in_proj_weight": randn(3 * width, width, std=1.8 / width**0.5),
        prefix + "attn.in_proj_bias": randn(3 * width, std=0.2),
        prefix + "attn.out_proj.weight": randn(width, width, std=1.0 / width**0.5),
        prefix + "attn.out_proj.bias": randn(width, std=0.2),
        prefix + "ln_2.weight": randn(width, std=0.2, mean=1.0),
        prefix + "ln_2.bias": randn(width, std=0.2),
        prefix + "mlp.c_fc.weight": randn(mlp, width, std=2.0 / width**0.5),
        prefix + "mlp.c_fc.bias": randn(mlp, std=0.2),
        prefix + "mlp.c_proj.weight": randn(width, mlp, std=1.0 / mlp**0.5),
        prefix + "mlp.c_proj.bias": randn(width, std=0.2),
    }


def make_weights():
    w = {}
    vw = VISION["width"]
    grid = VISION["image_size"] // VISION["patch_size"]
    p = VISION["patch_size"]
    w["visual.class_embedding"] = randn(vw, std=0.5)
    w["visual.positional_embedding"] = randn(grid * grid + 1, vw, std=0.5)
    w["visual.proj"] = randn(vw, EMBED_DIM, std=vw**-0.5)
    w["visual.conv1.weight"] = randn(vw, 3, p, p, std=(3 * p * p) ** -0.5)
    w["visual.ln_pre.weight"] = randn(vw, std=0.2, mean=1.0)
    w["visual.ln_pre.bias"] = randn(vw, std=0.2)
    for n in range(VISION["layers"]):
        w.update(block(f"visual.transformer.resblocks.{n}.", vw))
    w["visual.ln_post.weight"] = randn(vw, std=0.2, mean=1.0)
    w["visual.ln_post.bias"] = randn(vw, std=0.2)
    tw = TEXT["width"]
    w["positional_embedding"] = randn(TEXT["context_length"], tw, std=0.5)
    w["text_projection"] = randn(tw, EMBED_DIM, std=tw**-0.5)
    w["logit_scale"] = torch.tensor(LOGIT_SCALE, dtype=torch.float32)
    w["token_embedding.weight"] = randn(TEXT["vocab_size"], tw, std=0.8)
    for n in range(TEXT["layers"]):
        w.update(block(f"transformer.resblocks.{n}.", tw))
    w["ln_final.weight"] = randn(tw, std=0.2, mean=1.0)
    w["ln_final.bias"] = randn(tw, std=0.2)
    return w


def make_inputs():
    g = torch.Generator().manual_seed(5)
    pixels = torch.randn(BATCH, 3, VISION["image_size"], VISION["image_size"], generator=g, dtype=torch.float64)
    t = TEXT["context_length"]

    def words(n):
        return torch.randint(1, SOT, (n,), generator=g).tolist()

    rows = [
        [SOT] + words(t - 2) + [EOT],  # EOT last: no padding
        [SOT] + words(5) + [EOT] + [0] * (t - 7),  # EOT in the middle, zero padding after it
        [SOT, EOT] + [0] * (t - 2),  # empty text
        [SOT] + words(3) + [EOT] + words(2) + [EOT] + [0] * (t - 8),  # two EOTs: argmax takes the first
    ]
    for r in rows:
        assert len(r) == t
    return pixels.to(torch.float32), torch.tensor(rows, dtype=torch.int64)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def attention(x, w, prefix, heads, attn_mask):
    """open_clip transformer.py Attention.forward, self-attention, use_sdpa=False; x is [N, L, C]."""
    n, length, c = x.shape
    hd = c // heads
    q, k, v = F.linear(x, w[prefix + "in_proj_weight"], w[prefix + "in_proj_bias"]).chunk(3, dim=-1)
    q = q.reshape(n, -1, heads, hd).transpose(1, 2)
    k = k.reshape(n, -1, heads, hd).transpose(1, 2)
    v = v.reshape(n, -1, heads, hd).transpose(1, 2)
    q = q * hd**-0.5
    attn = q @ k.transpose(-1, -2)
    if attn_mask is not None:
        attn = attn + attn_mask
    attn = attn.softmax(dim=-1)
    out = (attn @ v).transpose(1, 2).reshape(n, -1, c)
    return F.linear(out, w[prefix + "out_proj.weight"], w[prefix + "out_proj.bias"])


def mha_reference(x, w, prefix, heads, attn_mask):
    """The same attention through torch.nn.MultiheadAttention (sequence-first), as open_clip <= 2.20 ran it."""
    c = x.shape[-1]
    mha = torch.nn.MultiheadAttention(c, heads).to(x.dtype)
    with torch.no_grad():
        mha.in_proj_weight.copy_(w[prefix + "in_proj_weight"])
        mha.in_proj_bias.copy_(w[prefix + "in_proj_bias"])
        mha.out_proj.weight.copy_(w[prefix + "out_proj.weight"])
        mha.out_proj.bias.copy_(w[prefix + "out_proj.bias"])
    seq_first = x.transpose(0, 1)
    return mha(seq_first, seq_first, seq_first, need_weights=False, attn_mask=attn_mask)[0].transpose(0, 1)


def transformer(x, w, prefix, layers, heads, act, attn_mask):
    """open_clip Transformer of ResidualAttentionBlocks; returns its input and every block's output."""
    width = x.shape[-1]
    states = [x]
    for n in range(layers):
        p = f"{prefix}resblocks.{n}."
        y = F.layer_norm(x, (width,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], EPS)
        a = attention(y, w, p + "attn.", heads, attn_mask)
        torch.testing.assert_close(a, mha_reference(y, w, p + "attn.", heads, attn_mask), rtol=1e-5, atol=1e-5)
        x = x + a
        y = F.layer_norm(x, (width,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], EPS)
        h = act(F.linear(y, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
        x = x + F.linear(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
        states.append(x)
    return states


def encode_image(w, pixels, act):
    vw = VISION["width"]
    x = F.conv2d(pixels, w["visual.conv1.weight"], stride=VISION["patch_size"])  # [B, width, g, g]
    x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)  # [B, g*g, width]
    cls = w["visual.class_embedding"].view(1, 1, -1).expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], dim=1) + w["visual.positional_embedding"]
    x = F.layer_norm(x, (vw,), w["visual.ln_pre.weight"], w["visual.ln_pre.bias"], EPS)
    heads = vw // VISION["head_width"]
    states = transformer(x, w, "visual.transformer.", VISION["layers"], heads, act, None)
    x = F.layer_norm(states[-1], (vw,), w["visual.ln_post.weight"], w["visual.ln_post.bias"], EPS)
    return x[:, 0] @ w["visual.proj"], states


def causal_mask(length, dtype):
    mask = torch.empty(length, length, dtype=dtype)
    mask.fill_(float("-inf"))
    mask.triu_(1)
    return mask


def encode_text(w, text, act):
    tw = TEXT["width"]
    x = F.embedding(text, w["token_embedding.weight"]) + w["positional_embedding"]
    mask = causal_mask(TEXT["context_length"], x.dtype)
    states = transformer(x, w, "transformer.", TEXT["layers"], TEXT["heads"], act, mask)
    x = F.layer_norm(states[-1], (tw,), w["ln_final.weight"], w["ln_final.bias"], EPS)
    pooled = x[torch.arange(x.shape[0]), text.argmax(dim=-1)]
    return pooled @ w["text_projection"], states


def forward(weights, pixels, text, act, dtype):
    w = {k: v.to(dtype) for k, v in weights.items()}
    image, image_states = encode_image(w, pixels.to(dtype), act)
    txt, text_states = encode_text(w, text, act)
    logits = w["logit_scale"].exp() * F.normalize(image, dim=-1) @ F.normalize(txt, dim=-1).T
    out = {"image_features": image, "text_features": txt, "logits_per_image": logits}
    for n, s in enumerate(image_states):
        out[f"image_hidden_{n:02d}"] = s
    for n, s in enumerate(text_states):
        out[f"text_hidden_{n:02d}"] = s
    return out


def open_clip_config(quick):
    cfg = {"embed_dim": EMBED_DIM}
    if quick:
        cfg["quick_gelu"] = True
    cfg["vision_cfg"] = dict(VISION)
    cfg["text_cfg"] = dict(TEXT)
    return cfg


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=4)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    weights = make_weights()
    pixels, text = make_inputs()
    write_safetensors(os.path.join(here, "weights.safetensors"), weights)
    np.save(os.path.join(here, "pixels.npy"), pixels.numpy().astype("<f4"))
    np.save(os.path.join(here, "text.npy"), text.numpy().astype("<i8"))
    report = {"torch": torch.__version__, "logit_scale": LOGIT_SCALE, "exp_logit_scale": math.exp(LOGIT_SCALE)}
    for folder, quick, act in (("gelu", False, F.gelu), ("quickgelu", True, quick_gelu)):
        write_json(os.path.join(here, "ViT-tiny" + ("-quickgelu" if quick else "") + ".json"), open_clip_config(quick))
        os.makedirs(os.path.join(here, folder), exist_ok=True)
        with torch.no_grad():
            out32 = forward(weights, pixels, text, act, torch.float32)
            out64 = forward(weights, pixels, text, act, torch.float64)
        part = {}
        for name, value in out32.items():
            np.save(os.path.join(here, folder, name + ".npy"), value.numpy().astype("<f4"))
            part[name] = {
                "float32_vs_float64_max_abs": float((value.double() - out64[name]).abs().max()),
                "max_abs_value": float(value.abs().max()),
            }
        report[folder] = part
    write_json(os.path.join(here, "report.json"), report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
