#!/usr/bin/python3
"""Writes cases.bin: small RGB images and what Pillow's bicubic resize makes of them.

The golden data for BicubicResamplerPillowTest (common/src/test/java/io/distillery/image). Run it with Debian's
python3-pil (Pillow 9.4.0 when the fixture was made; the resampling code has not changed since Pillow 4.x):

    /usr/bin/python3 common/src/test/resources/pillow-bicubic/generate.py

Each case is a seeded random image (a mix of 0, 255 and arbitrary values, so the kernel's negative lobes
overshoot and both clamps of clip8 are hit) and either img.resize((w, h), BICUBIC) of the whole image, or
img.crop(box).resize(...) -- torchvision's resized_crop on a PIL image, which is what ViewRenderer claims for an
integer box. Same seeds, same bytes on every run.

cases.bin, big-endian:
    magic "PILBIC1\\n" (8 bytes), int32 pillow-version length + UTF-8 bytes, int32 case count, then per case:
    int32 name length + UTF-8 name, int32 inW, inH, int32 box x0, y0, x1, y1 (the whole image when not cropped),
    int32 outW, outH, inW*inH*3 bytes input RGB, outW*outH*3 bytes Pillow's output RGB (row-major, interleaved).
"""
import os
import random
import struct

import PIL
from PIL import Image


def image(w, h, seed):
    rng = random.Random(seed)
    data = bytearray()
    for _ in range(w * h * 3):
        pick = rng.random()
        data.append(0 if pick < 0.3 else 255 if pick < 0.6 else rng.randrange(256))
    return Image.frombytes("RGB", (w, h), bytes(data))


# name, input size, box (None: whole image), output size
CASES = [
    ("up-odd", (7, 5), None, (13, 11)),
    ("down-odd", (13, 11), None, (5, 3)),
    ("down-strong-square", (31, 23), None, (5, 5)),
    ("horizontal-only", (17, 9), None, (6, 9)),
    ("vertical-only", (9, 9), None, (9, 20)),
    ("up-x-down-y", (6, 15), None, (11, 4)),
    ("same-size", (5, 4), None, (5, 4)),
    ("single-pixel-up", (1, 1), None, (3, 2)),
    ("line-to-column", (8, 1), None, (1, 5)),
    ("crop-down", (16, 12), (3, 2, 14, 11), (6, 7)),
    ("crop-up", (16, 12), (0, 5, 7, 12), (10, 9)),
    ("crop-edge-square", (16, 12), (9, 0, 16, 3), (5, 5)),
]


def overshoots(img, size):
    """How many values the unclamped filter (Pillow's float mode) puts below 0 and above 255."""
    low = high = 0
    for band in img.split():
        values = list(band.convert("F").resize(size, Image.BICUBIC).getdata())
        low += sum(v < -0.5 for v in values)
        high += sum(v > 255.5 for v in values)
    return low, high


def main():
    out = bytearray(b"PILBIC1\n")
    clamped = [0, 0]
    version = PIL.__version__.encode()
    out += struct.pack(">i", len(version)) + version
    out += struct.pack(">i", len(CASES))
    for seed, (name, (w, h), box, (ow, oh)) in enumerate(CASES):
        src = image(w, h, seed)
        cropped = src if box is None else src.crop(box)
        result = cropped.resize((ow, oh), Image.BICUBIC)
        low, high = overshoots(cropped, (ow, oh))
        clamped[0] += low
        clamped[1] += high
        box = box or (0, 0, w, h)
        encoded = name.encode()
        out += struct.pack(">i", len(encoded)) + encoded
        out += struct.pack(">8i", w, h, *box, ow, oh)
        out += src.tobytes() + result.tobytes()
    # the cases must exercise both clamps of clip8, or a clamping bug would pass unnoticed
    assert clamped[0] > 0 and clamped[1] > 0, clamped
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.bin")
    with open(path, "wb") as f:
        f.write(out)
    print(f"{path}: {len(CASES)} cases, {len(out)} bytes, Pillow {PIL.__version__}, "
          f"{clamped[0]} values clamped to 0 and {clamped[1]} to 255")


if __name__ == "__main__":
    main()
