#!/usr/bin/python3
"""Trains a small open_clip-architecture ViT CLIP from random init on the Fashion-MNIST caption shards.

Distillery does not train CLIP towers itself; this script (plain PyTorch, Debian's python3-torch 1.13 + numpy, no
open_clip, no PIL, no safetensors package) trains one so that Distillery can use it as a CLIP teacher (`extract`
with `teacher.kind = open-clip`) and evaluate it zero-shot (`conf/fm-captions/evaluate-clip-teacher.conf`).

    nice -n 10 /usr/bin/python3 data/fm-captions/train_clip_teacher.py            # the real run (defaults)
    /usr/bin/python3 data/fm-captions/train_clip_teacher.py --max-steps 150 --out /tmp/clip-smoke   # a smoke run

The model is open_clip's CLIP (model.py / transformer.py, as transcribed in common/src/test/resources/clip/
generate.py) with open_clip's state_dict names: visual.conv1.weight, visual.class_embedding, ...,
visual.transformer.resblocks.N.attn.in_proj_weight, token_embedding.weight, text_projection, logit_scale.
Attention is torch.nn.MultiheadAttention, which is what open_clip's ResidualAttentionBlock runs (and where
in_proj_weight's packing comes from); initialisation follows open_clip's CLIP.init_parameters.

Inputs (as Distillery feeds an open_clip model):
- images: the shards' 28x28 8-bit grayscale PNGs (decoded here with zlib), R = G = B = the gray sample,
  value = (p / 255 - mean[c]) / std[c] in float32 with OpenAI CLIP's mean/std (ClipModels.MEAN / STD,
  ImageNormalizer). Evaluation uses the full image (Distillery's eval view with eval-crop-pct 1.0 at image size 28).
  Training views: random resized crop (scale 0.5-1, ratio 3/4-4/3, torchvision's get_params, bilinear) + horizontal
  flip with probability 0.5.
- text: open_clip's SimpleTokenizer (the transcription in common/src/test/resources/clip-text/generate.py, the
  vocabulary bundled with Distillery), context length 32; the same ids as io.distillery.text.ClipTokenizer.

Writes to --out: model.json (open_clip model config), model.safetensors (float32, open_clip names),
train-log.jsonl (step, epoch, loss, lr, logit scale, images/s) and report.json (settings, wall time, zero-shot
top-1/top-5 on the test shards with class-names.txt x zero-shot-templates.txt, open_clip's zero_shot_classifier).
"""

import argparse
import importlib.util
import io
import json
import math
import os
import re as stdlib_re
import struct
import sys
import tarfile
import time
import types
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TOKENIZER_PY = os.path.join(ROOT, "common", "src", "test", "resources", "clip-text", "generate.py")
CLIP_UNICODE = os.path.join(ROOT, "common", "src", "main", "resources", "io", "distillery", "text", "clip-unicode.txt")

# OpenAI CLIP's normalisation: io.distillery.spark.ClipModels.MEAN / STD
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
LN_EPS = 1e-5

DEFAULTS = {
    "embed_dim": 64,
    "vision_cfg": {"image_size": 28, "layers": 4, "width": 128, "patch_size": 4, "head_width": 32},
    "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 128, "heads": 4, "layers": 4},
}


# ---- PNG (8-bit grayscale, non-interlaced) ---------------------------------------------------------------------

def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png_gray8(data):
    """The pixels of an 8-bit grayscale, non-interlaced PNG as a uint8 array [H, W]; all five filter types."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height = 8, [], None, None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, comp, filt, interlace = struct.unpack(">IIBBBBB", body)
            if (depth, color, comp, filt, interlace) != (8, 0, 0, 0, 0):
                raise ValueError("only 8-bit grayscale non-interlaced PNGs are supported, got bit depth %d colour"
                                 " type %d interlace %d" % (depth, color, interlace))
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError("PNG without IHDR")
    raw = zlib.decompress(b"".join(idat))
    stride = width + 1
    if len(raw) != stride * height:
        raise ValueError("PNG data has %d bytes, expected %d" % (len(raw), stride * height))
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride)
    if not rows[:, 0].any():  # filter type 0 (None) on every row, as javax.imageio writes them: no unfiltering
        return rows[:, 1:].copy()
    out = bytearray(width * height)
    prev = bytearray(width)
    for y in range(height):
        ftype = raw[y * stride]
        line = bytearray(raw[y * stride + 1:(y + 1) * stride])
        if ftype == 0:
            pass
        elif ftype == 1:  # Sub (bpp = 1)
            for x in range(1, width):
                line[x] = (line[x] + line[x - 1]) & 0xFF
        elif ftype == 2:  # Up
            for x in range(width):
                line[x] = (line[x] + prev[x]) & 0xFF
        elif ftype == 3:  # Average
            for x in range(width):
                left = line[x - 1] if x > 0 else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
        elif ftype == 4:  # Paeth
            for x in range(width):
                left = line[x - 1] if x > 0 else 0
                upleft = prev[x - 1] if x > 0 else 0
                line[x] = (line[x] + _paeth(left, prev[x], upleft)) & 0xFF
        else:
            raise ValueError("PNG filter type %d" % ftype)
        out[y * width:(y + 1) * width] = line
        prev = line
    return np.frombuffer(bytes(out), dtype=np.uint8).reshape(height, width)


# ---- shards ----------------------------------------------------------------------------------------------------

def read_shards(folder):
    """Every sample of the folder's *.tar shards, sorted by key: (keys, uint8 [N, H, W], int64 labels, captions)."""
    tars = sorted(f for f in os.listdir(folder) if f.endswith(".tar"))
    if not tars:
        raise SystemExit("no .tar shards in " + folder)
    samples = {}
    for name in tars:
        with tarfile.open(os.path.join(folder, name)) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                key, _, ext = member.name.rpartition(".")
                samples.setdefault(key, {})[ext] = tar.extractfile(member).read()
    keys = sorted(samples)
    images, labels, captions = [], [], []
    for key in keys:
        s = samples[key]
        if "png" not in s or "cls" not in s or "txt" not in s:
            raise SystemExit("%s in %s lacks .png, .cls or .txt" % (key, folder))
        images.append(decode_png_gray8(s["png"]))
        labels.append(int(s["cls"].decode("ascii").strip()))
        captions.append(s["txt"].decode("utf-8"))
    return keys, np.stack(images), np.array(labels, dtype=np.int64), captions


# ---- tokenizer: the transcription of open_clip's SimpleTokenizer ------------------------------------------------

def _regex_shim():
    """A stand-in for the `regex` package where it is missing: the tokenizer's three \\p classes spelt out from
    clip-unicode.txt (the classes as regex sees them, which Distillery's ClipChars uses too) for stdlib re."""
    sections, current = {}, None
    with open(CLIP_UNICODE, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip() if not line.startswith("[") else line.strip()
            if line.startswith("["):
                current = line[1:line.index("]")]
                sections[current] = []
            elif line and current is not None:
                sections[current].extend(line.split())

    def cls(name):
        parts = []
        for r in sections[name]:
            lo, _, hi = r.partition("-")
            parts.append("\\U%08x" % int(lo, 16) + ("-\\U%08x" % int(hi, 16) if hi else ""))
        return "[" + "".join(parts) + "]"

    table = {r"[\p{L}]": cls("letter"), r"[\p{N}]": cls("number"), r"[^\s\p{L}\p{N}]": cls("other")}
    shim = types.ModuleType("regex")
    shim.IGNORECASE = stdlib_re.IGNORECASE
    shim.escape = stdlib_re.escape
    shim.findall = stdlib_re.findall
    shim.__version__ = "stdlib re + clip-unicode.txt"

    def compile_(pattern, flags=0):
        for k, v in table.items():
            pattern = pattern.replace(k, v)
        if "\\p{" in pattern:
            raise ValueError("regex shim: unsupported pattern " + pattern)
        return stdlib_re.compile(pattern, flags)

    shim.compile = compile_
    return shim


def load_tokenizer_module():
    try:
        import regex  # noqa: F401
    except ImportError:
        sys.modules["regex"] = _regex_shim()
    spec = importlib.util.spec_from_file_location("clip_text_generate", TOKENIZER_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tokenize_all(tokenizer, texts, context_length):
    """open_clip tokenize() of every text (distinct ones encoded once), refusing texts that would be cut."""
    cache = {}
    rows = []
    for t in texts:
        if t not in cache:
            ids = [tokenizer.sot_token_id] + tokenizer.encode(t) + [tokenizer.eot_token_id]
            if len(ids) > context_length:
                raise SystemExit("caption needs %d tokens, more than the context length %d: %r"
                                 % (len(ids), context_length, t))
            cache[t] = ids + [0] * (context_length - len(ids))
        rows.append(cache[t])
    longest = max(sum(1 for i in r if i != 0) for r in cache.values())
    return torch.tensor(rows, dtype=torch.int64), longest


# ---- the model: open_clip's CLIP, its module tree and parameter names -------------------------------------------

class LayerNorm(nn.LayerNorm):
    pass


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, mlp_ratio=4.0):
        super().__init__()
        self.ln_1 = LayerNorm(width, eps=LN_EPS)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = LayerNorm(width, eps=LN_EPS)
        mlp = int(width * mlp_ratio)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(width, mlp))
        self.mlp.add_module("gelu", nn.GELU())
        self.mlp.add_module("c_proj", nn.Linear(mlp, width))

    def forward(self, x, attn_mask=None):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.width = width
        self.layers = layers
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x, attn_mask=None):
        for block in self.resblocks:
            x = block(x, attn_mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, width, layers, head_width, output_dim):
        super().__init__()
        grid = image_size // patch_size
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = LayerNorm(width, eps=LN_EPS)
        self.transformer = Transformer(width, layers, width // head_width)
        self.ln_post = LayerNorm(width, eps=LN_EPS)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.view(1, 1, -1).expand(x.shape[0], -1, -1).to(x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        x = self.transformer(x)
        x = self.ln_post(x)
        return x[:, 0] @ self.proj


class CLIP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        v, t = cfg["vision_cfg"], cfg["text_cfg"]
        self.visual = VisionTransformer(v["image_size"], v["patch_size"], v["width"], v["layers"], v["head_width"],
                                        cfg["embed_dim"])
        self.context_length = t["context_length"]
        self.transformer = Transformer(t["width"], t["layers"], t["heads"])
        self.token_embedding = nn.Embedding(t["vocab_size"], t["width"])
        self.positional_embedding = nn.Parameter(torch.empty(t["context_length"], t["width"]))
        self.ln_final = LayerNorm(t["width"], eps=LN_EPS)
        self.text_projection = nn.Parameter(torch.empty(t["width"], cfg["embed_dim"]))
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))
        self.register_buffer("attn_mask", self.build_causal_mask(), persistent=False)
        self.init_parameters()

    def build_causal_mask(self):
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)
        return mask

    def init_parameters(self):
        # open_clip CLIP.init_parameters / TextTransformer.init_parameters
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        width, layers = self.transformer.width, self.transformer.layers
        proj_std = (width ** -0.5) * ((2 * layers) ** -0.5)
        attn_std = width ** -0.5
        fc_std = (2 * width) ** -0.5
        for block in self.transformer.resblocks:
            nn.init.normal_(block.attn.in_proj_weight, std=attn_std)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(block.mlp.c_fc.weight, std=fc_std)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=width ** -0.5)

    def encode_image(self, pixels):
        return self.visual(pixels)

    def encode_text(self, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = self.transformer(x, attn_mask=self.attn_mask)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

    def forward(self, pixels, text):
        return (F.normalize(self.encode_image(pixels), dim=-1), F.normalize(self.encode_text(text), dim=-1),
                self.logit_scale.exp())


def clip_loss(image, text, scale):
    """open_clip ClipLoss on one device: mean of the image->text and text->image cross-entropies."""
    logits = scale * image @ text.T
    labels = torch.arange(image.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


# ---- images: Distillery's normalisation, training views ----------------------------------------------------------

def normalise(gray01):
    """[B, H, W] float32 values p / 255 -> [B, 3, H, W], (v - mean[c]) / std[c] in float32 (ImageNormalizer)."""
    mean = torch.tensor(MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).view(1, 3, 1, 1)
    return (gray01.unsqueeze(1).expand(-1, 3, -1, -1) - mean) / std


def eval_pixels(images_u8):
    return normalise(torch.from_numpy(images_u8).to(torch.float32) / 255.0)


def random_resized_boxes(n, height, width, gen, scale=(0.5, 1.0), ratio=(3 / 4, 4 / 3)):
    """torchvision RandomResizedCrop.get_params for n images: integer boxes (top, left, h, w)."""
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    boxes = []
    for _ in range(n):
        for _ in range(10):
            target = area * torch.empty(1).uniform_(scale[0], scale[1], generator=gen).item()
            aspect = math.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1], generator=gen).item())
            w = int(round(math.sqrt(target * aspect)))
            h = int(round(math.sqrt(target / aspect)))
            if 0 < w <= width and 0 < h <= height:
                top = torch.randint(0, height - h + 1, size=(1,), generator=gen).item()
                left = torch.randint(0, width - w + 1, size=(1,), generator=gen).item()
                boxes.append((top, left, h, w))
                break
        else:  # fallback: centre crop at the nearest allowed ratio
            in_ratio = width / height
            if in_ratio < ratio[0]:
                w, h = width, int(round(width / ratio[0]))
            elif in_ratio > ratio[1]:
                h, w = height, int(round(height * ratio[1]))
            else:
                w, h = width, height
            boxes.append(((height - h) // 2, (width - w) // 2, h, w))
    return boxes


def train_views(images_u8, gen):
    """Random resized crop (bilinear, output = input size) + horizontal flip p=0.5, then normalised."""
    x = torch.from_numpy(images_u8).to(torch.float32) / 255.0  # [B, H, W]
    n, height, width = x.shape
    boxes = random_resized_boxes(n, height, width, gen)
    flips = torch.rand(n, generator=gen) < 0.5
    theta = torch.zeros(n, 2, 3)
    for i, (top, left, h, w) in enumerate(boxes):
        # crop [left, left + w) x [top, top + h) resized bilinearly to width x height (align_corners=False)
        theta[i, 0, 0] = (w / width) * (-1.0 if flips[i] else 1.0)
        theta[i, 0, 2] = (2 * left + w) / width - 1
        theta[i, 1, 1] = h / height
        theta[i, 1, 2] = (2 * top + h) / height - 1
    grid = F.affine_grid(theta, (n, 1, height, width), align_corners=False)
    out = F.grid_sample(x.unsqueeze(1), grid, mode="bilinear", padding_mode="border", align_corners=False)
    return normalise(out.squeeze(1))


# ---- optimisation ------------------------------------------------------------------------------------------------

def param_groups(model, weight_decay, decay_embeddings):
    """open_clip main.py: no weight decay on gains, biases (ndim < 2, 'ln'/'bias' in the name) and logit_scale; by
    default none on the embeddings either (class/positional/token embeddings)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        exclude = (p.ndim < 2 or "bn" in name or "ln" in name or "bias" in name or "logit_scale" in name
                   or (not decay_embeddings and "embedding" in name))
        (no_decay if exclude else decay).append(p)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def cosine_lr(base_lr, warmup, steps, step):
    """open_clip scheduler.cosine_lr at step (0-based)."""
    if step < warmup:
        return base_lr * (step + 1) / warmup
    e, es = step - warmup, steps - warmup
    return 0.5 * (1 + math.cos(math.pi * e / max(1, es))) * base_lr


# ---- zero-shot ---------------------------------------------------------------------------------------------------

@torch.no_grad()
def embed_images(model, images_u8, batch=512):
    parts = [F.normalize(model.encode_image(eval_pixels(images_u8[i:i + batch])), dim=-1)
             for i in range(0, len(images_u8), batch)]
    return torch.cat(parts)


@torch.no_grad()
def zero_shot_classifier(model, tokenizer, class_names, templates, context_length):
    """open_clip zero_shot_classifier: per class the normalised mean of its normalised prompt embeddings [C, E]."""
    prompts = [t.replace("{}", c) for c in class_names for t in templates]
    ids, _ = tokenize_all(tokenizer, prompts, context_length)
    emb = F.normalize(model.encode_text(ids), dim=-1).view(len(class_names), len(templates), -1)
    return F.normalize(emb.mean(dim=1), dim=-1)


@torch.no_grad()
def zero_shot(model, tokenizer, class_names, templates, context_length, images_u8, labels):
    weights = zero_shot_classifier(model, tokenizer, class_names, templates, context_length)
    logits = embed_images(model, images_u8) @ weights.T
    top = logits.topk(min(5, len(class_names)), dim=1).indices
    target = torch.from_numpy(labels).view(-1, 1)
    return {"top1": float((top[:, :1] == target).any(1).float().mean()),
            "top5": float((top == target).any(1).float().mean()),
            "images": int(len(labels))}


# ---- output ------------------------------------------------------------------------------------------------------

def write_safetensors(path, tensors):
    """As common/src/test/resources/clip/generate.py writes it: sorted names, F32, header padded to 8 bytes."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = tensors[name].detach().contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=4)
        f.write("\n")


def model_config(args):
    return {
        "embed_dim": args.embed_dim,
        "vision_cfg": {"image_size": 28, "layers": args.vision_layers, "width": args.vision_width,
                       "patch_size": args.patch_size, "head_width": args.head_width},
        "text_cfg": {"context_length": args.context_length, "vocab_size": 49408, "width": args.text_width,
                     "heads": args.text_heads, "layers": args.text_layers},
    }


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


# ---- main --------------------------------------------------------------------------------------------------------

def parse_args(argv=None):
    v, t = DEFAULTS["vision_cfg"], DEFAULTS["text_cfg"]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="work/fm-captions", help="make_captions.py's --out (train/, test/, prompts)")
    p.add_argument("--out", default="work/fm-captions/clip-teacher")
    p.add_argument("--epochs", type=float, default=8.0)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = all epochs)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.98)
    p.add_argument("--eps", type=float, default=1e-6)
    p.add_argument("--wd", type=float, default=0.1)
    p.add_argument("--decay-embeddings", action="store_true",
                   help="weight decay on the 2-D embeddings too (open_clip main.py's exact rule)")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--max-train", type=int, default=0, help="use only the first N training samples (0 = all)")
    p.add_argument("--max-test", type=int, default=0,
                   help="zero-shot on the first N test images by key (0 = all), as evaluate's max-test")
    p.add_argument("--embed-dim", type=int, default=DEFAULTS["embed_dim"])
    p.add_argument("--patch-size", type=int, default=v["patch_size"])
    p.add_argument("--vision-width", type=int, default=v["width"])
    p.add_argument("--vision-layers", type=int, default=v["layers"])
    p.add_argument("--head-width", type=int, default=v["head_width"])
    p.add_argument("--context-length", type=int, default=t["context_length"])
    p.add_argument("--text-width", type=int, default=t["width"])
    p.add_argument("--text-heads", type=int, default=t["heads"])
    p.add_argument("--text-layers", type=int, default=t["layers"])
    return p.parse_args(argv)


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, flush=True)


def train(args):
    start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    cfg = model_config(args)

    tok_module = load_tokenizer_module()
    tokenizer = tok_module.SimpleTokenizer()
    class_names = read_lines(os.path.join(args.data, "class-names.txt"))
    templates = read_lines(os.path.join(args.data, "zero-shot-templates.txt"))

    log("reading shards under " + args.data)
    _, train_images, train_labels, train_captions = read_shards(os.path.join(args.data, "train"))
    test_keys, test_images, test_labels, _ = read_shards(os.path.join(args.data, "test"))
    if args.max_train > 0:
        train_images, train_captions = train_images[:args.max_train], train_captions[:args.max_train]
    if args.max_test > 0:
        test_images, test_labels = test_images[:args.max_test], test_labels[:args.max_test]
    if train_images.shape[1:] != (28, 28):
        raise SystemExit("expected 28x28 images, got %s" % (train_images.shape[1:],))
    distinct = sorted(set(train_captions))
    caption_index = {c: i for i, c in enumerate(distinct)}
    caption_ids = np.array([caption_index[c] for c in train_captions], dtype=np.int64)
    distinct_tokens, longest = tokenize_all(tokenizer, distinct, args.context_length)
    prompts = [t.replace("{}", c) for c in class_names for t in templates]
    _, longest_prompt = tokenize_all(tokenizer, prompts, args.context_length)
    n = len(train_images)
    log("%d training samples (%d distinct captions, longest %d tokens of %d), %d test images; %.1f s"
        % (n, len(distinct), longest, args.context_length, len(test_images), time.time() - start))

    model = CLIP(cfg)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(param_groups(model, args.wd, args.decay_embeddings), lr=args.lr,
                            betas=(args.beta1, args.beta2), eps=args.eps)
    batch = min(args.batch_size, n)
    steps_per_epoch = n // batch
    total = int(math.ceil(args.epochs * steps_per_epoch))
    if args.max_steps > 0:
        total = min(total, args.max_steps)
    log("model: %d parameters; %d steps (%d per epoch, batch %d), %d threads" % (params, total, steps_per_epoch,
                                                                                 batch, args.threads))
    gen = torch.Generator().manual_seed(args.seed)
    log_file = open(os.path.join(args.out, "train-log.jsonl"), "w", encoding="utf-8")
    train_start = time.time()
    interval_start, interval_images, interval_loss, interval_steps = time.time(), 0, 0.0, 0
    order, step, first_loss, last_loss = None, 0, None, None
    model.train()
    while step < total:
        pos = step % steps_per_epoch
        if pos == 0:
            order = torch.randperm(n, generator=gen).numpy()
        idx = np.sort(order[pos * batch:(pos + 1) * batch])
        lr = cosine_lr(args.lr, args.warmup, total, step)
        for g in opt.param_groups:
            g["lr"] = lr
        pixels = train_views(train_images[idx], gen)
        # each distinct caption of the batch through the text tower once (identical rows, identical gradients)
        present, inverse = np.unique(caption_ids[idx], return_inverse=True)
        image = F.normalize(model.encode_image(pixels), dim=-1)
        text = F.normalize(model.encode_text(distinct_tokens[torch.from_numpy(present)]), dim=-1)
        loss = clip_loss(image, text[torch.from_numpy(inverse)], model.logit_scale.exp())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        step += 1
        value = float(loss)
        first_loss = value if first_loss is None else first_loss
        interval_images += len(idx)
        interval_loss += value
        interval_steps += 1
        if step % args.log_every == 0 or step == total:
            now = time.time()
            ips = interval_images / max(now - interval_start, 1e-9)
            last_loss = interval_loss / interval_steps
            entry = {"step": step, "epoch": round(step / steps_per_epoch, 4), "loss": round(last_loss, 6),
                     "lr": lr, "logit_scale": round(float(model.logit_scale.exp()), 4),
                     "images_per_s": round(ips, 1), "elapsed_s": round(now - train_start, 1)}
            log_file.write(json.dumps(entry) + "\n")
            log_file.flush()
            eta = (total - step) * batch / max(ips, 1e-9)
            log("step %d/%d epoch %.2f loss %.4f lr %.2e scale %.2f %.0f img/s eta %.0f s"
                % (step, total, entry["epoch"], last_loss, lr, entry["logit_scale"], ips, eta))
            interval_start, interval_images, interval_loss, interval_steps = now, 0, 0.0, 0
    log_file.close()
    train_s = time.time() - train_start

    model.eval()
    write_json(os.path.join(args.out, "model.json"), cfg)
    write_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict())
    eval_start = time.time()
    result = zero_shot(model, tokenizer, class_names, templates, args.context_length, test_images, test_labels)
    eval_s = time.time() - eval_start
    report = {
        "script": "data/fm-captions/train_clip_teacher.py",
        "settings": vars(args),
        "model_config": cfg,
        "parameters": params,
        "torch": torch.__version__,
        "train_samples": n,
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "epochs_done": step / steps_per_epoch,
        "first_loss": first_loss,
        "final_loss": last_loss,
        "final_logit_scale": float(model.logit_scale.exp()),
        "train_images_per_s": step * batch / train_s,
        "longest_caption_tokens": longest,
        "longest_prompt_tokens": longest_prompt,
        "zero_shot": dict(result, class_names=len(class_names), templates=len(templates),
                          first_test_key=test_keys[0]),
        "train_wall_s": train_s,
        "eval_wall_s": eval_s,
        "wall_s": time.time() - start,
    }
    write_json(os.path.join(args.out, "report.json"), report)
    log("zero-shot on %d test images: top-1 %.2f %%, top-5 %.2f %%; training %.0f s, total %.0f s; wrote %s"
        % (result["images"], 100 * result["top1"], 100 * result["top5"], train_s, report["wall_s"], args.out))
    return report


if __name__ == "__main__":
    train(parse_args())
