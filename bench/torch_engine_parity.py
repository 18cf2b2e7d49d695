#!/usr/bin/env python3
"""Checks that torch_engine.py's BEiT v2 and targets compute what Distillery computes, so the engine benchmark
compares the same model. Three steps (the middle one is Distillery's `forward` command):

  /usr/bin/python3 bench/torch_engine_parity.py make DIR      # random BEiT v2 (64 px, patch 8, 2 x 192, 3 heads,
                                                             # every parameter random, rel-pos table included)
                                                             # as timm safetensors + config.json + 3 PNGs of 64 px
  deploy/bin/distillery forward --model DIR/config.json --weights DIR/weights.safetensors \\
      --images DIR/images --out DIR/out
  /usr/bin/python3 bench/torch_engine_parity.py compare DIR   # torch_engine's targets vs DIR/out/target.npy

`compare` prints the largest absolute differences (last block output, targets) and exits 1 above 1e-4.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_engine as te  # noqa: E402

IMG, PATCH, DIM, DEPTH, HEADS = 64, 8, 192, 2, 3
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def make(d):
    torch.manual_seed(3)
    model = te.Beit(IMG, PATCH, DIM, DEPTH, HEADS)
    with torch.no_grad():
        for name, p in model.named_parameters():
            ones = 1.0 if "norm" in name and name.endswith("weight") else 0.0
            p.copy_(torch.randn_like(p) * (0.05 if p.ndim >= 2 else 0.3) + ones)
    tensors = {k: v.contiguous().float().numpy() for k, v in model.state_dict().items()}
    tensors["fc_norm.weight"] = np.ones(DIM, np.float32)  # Distillery loads BEiT's pooling norm too
    tensors["fc_norm.bias"] = np.zeros(DIM, np.float32)
    header, offset = {}, 0
    for k, v in tensors.items():
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + v.nbytes]}
        offset += v.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.join(d, "images"), exist_ok=True)
    with open(os.path.join(d, "weights.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for v in tensors.values():
            f.write(v.tobytes())
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"model_type": "beitv2", "img_size": IMG, "patch_size": PATCH, "embed_dim": DIM, "depth": DEPTH,
                   "num_heads": HEADS, "init_values": 0.1, "use_rel_pos_bias": True}, f)
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (IMG, IMG, 3), dtype=np.uint8)).save(os.path.join(d, "images", f"im{i}.png"))


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for k, v in json.loads(raw[8:8 + n]).items():
        start, end = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + start:8 + n + end], np.float32).reshape(v["shape"]).copy())
    return out


def compare(d):
    model = te.Beit(IMG, PATCH, DIM, DEPTH, HEADS)
    missing, unexpected = model.load_state_dict(load_safetensors(os.path.join(d, "weights.safetensors")), strict=False)
    assert not missing and set(unexpected) <= {"fc_norm.weight", "fc_norm.bias"}, (missing, unexpected)
    manifest = json.load(open(os.path.join(d, "out", "manifest.json")))
    images = np.stack([((np.asarray(Image.open(os.path.join(d, "images", name)).convert("RGB")) / 255.0 - MEAN) / STD)
                       .transpose(2, 0, 1) for name in manifest["images"]]).astype(np.float32)
    with torch.inference_mode():
        last, ffns = model(torch.from_numpy(images))
        targets = te.d2v_targets(ffns)
    diffs = {
        "last block output": np.abs(last.numpy() - np.load(os.path.join(d, "out", f"block_out_{DEPTH:02d}.npy"))).max(),
        "targets": np.abs(targets.numpy() - np.load(os.path.join(d, "out", "target.npy"))).max(),
    }
    print(json.dumps({k: float(v) for k, v in diffs.items()}))
    return 0 if max(diffs.values()) < 1e-4 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "compare"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(compare(sys.argv[2]))
