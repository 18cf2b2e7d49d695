#!/usr/bin/env python3
"""Golden values for io.distillery.student.ClipContrastiveLoss and LogitScale: open_clip's CLIP loss.

Run from this folder with a PyTorch that has autograd (tested with the Debian build, torch 1.13):
    /usr/bin/python3 generate.py
It rewrites clip.json here: per case the raw (unnormalised) image and text features, the logit-scale parameter,
the loss and autograd's gradients with respect to the raw features and to the parameter, all float64 (json writes a float's
repr, so Java reads back the exact doubles). Seeds are fixed, so a rerun gives identical files.

Transcribed from open_clip: `CLIP.forward` (F.normalize of both features, `logit_scale.exp()`, the parameter
initialised to log(1 / 0.07)) and `ClipLoss.forward` on one worker (logits_per_image = scale * img @ txt.T,
logits_per_text = scale * txt @ img.T, labels = arange(B), mean of the two cross-entropies). The Java code is
derived by hand from the formula, so agreement checks both.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def clip_loss(image_features, text_features, logit_scale):
    """open_clip ClipLoss.forward with world_size 1."""
    logits_per_image = logit_scale * image_features @ text_features.T
    logits_per_text = logit_scale * text_features @ image_features.T
    labels = torch.arange(logits_per_image.shape[0], dtype=torch.long)
    return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, seed, batch, dim, log_scale, aligned):
    g = torch.Generator().manual_seed(seed)
    image = torch.randn(batch, dim, generator=g)
    text = torch.randn(batch, dim, generator=g)
    if aligned:  # positives close to their image: a low loss, as after some training
        text = image + 0.3 * text
    image.requires_grad_(True)
    text.requires_grad_(True)
    param = torch.tensor(log_scale, requires_grad=True)
    # CLIP.forward: normalised features and the exponentiated scale
    loss = clip_loss(F.normalize(image, dim=-1), F.normalize(text, dim=-1), param.exp())
    loss.backward()
    return {
        "name": name,
        "image": tensor(image.detach()),
        "text": tensor(text.detach()),
        "log_scale": float(param.detach()),
        "loss": float(loss.detach()),
        "grad_image": tensor(image.grad),
        "grad_text": tensor(text.grad),
        "grad_log_scale": float(param.grad),
    }


def main():
    cases = [
        case("init-scale", 1, 4, 3, math.log(1 / 0.07), False),
        case("small-scale", 2, 5, 4, 0.5, False),
        case("aligned-max-scale", 3, 6, 5, math.log(100), True),
        case("single-pair", 4, 1, 3, math.log(1 / 0.07), False),
    ]
    out = {"loss": "clip", "generator": "generate.py", "torch": torch.__version__, "cases": cases}
    with open(os.path.join(HERE, "clip.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
