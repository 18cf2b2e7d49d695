#!/usr/bin/env python3
"""Fashion-MNIST with WordNet captions: webdataset shards of (image, caption, class) for image-text distillation.

Every Fashion-MNIST image gets one caption composed from its class: a caption template filled with a WordNet name
of the class (a lemma of a chosen synset, e.g. "frock" for Dress) or with a WordNet definition (e.g. "a shoe
consisting of a sole fastened by straps to the foot" for Sandal). Nothing is invented beyond the templates below.

Split rule (what evaluation may never have seen in training):
- images: train shards hold only FM train images (60000), test shards only FM test images (10000);
- class phrasings: the evaluation phrasing of each class is its Fashion-MNIST name (EVAL_NAMES, written to
  class-names.txt). By default it is also one of the class's training names (as a real caption corpus names its
  objects), next to the WordNet lemmas; with --hold-out-class-names every name equal to any class's evaluation
  phrasing (case-insensitive) is left out of the training captions, so e.g. "coat", "sandal" or "T-shirt" never
  occur as a training phrasing (longer phrasings that contain such a word, e.g. "duffel coat", do): a harder test
  of the text encoder, which must then relate "t-shirt" to "tee shirt" without ever seeing it;
- templates: TRAIN_NAME_TEMPLATES / TRAIN_GLOSS_TEMPLATES fill the training captions, EVAL_TEMPLATES (written to
  zero-shot-templates.txt) fill the test captions and the zero-shot prompts; the sets are disjoint and no evaluation
  prompt occurs inside any possible training caption (checked before anything is written).
Test captions are EVAL_TEMPLATES filled with the evaluation phrasing.

Shards match `distillery import-idx` output byte for byte in everything they share: KEY.png is the image as an
8-bit grayscale PNG (filter 0 on every row, zlib level 4: what javax.imageio writes), KEY.cls the decimal label,
POSIX ustar members with mode 0100644, time 0, no owner, 5000 samples per shard; KEY.txt (UTF-8, no newline) is
added. Keys are <prefix>/<source index, 6 digits>.

Deterministic: the same IDX and WordNet files and --seed give the same bytes. Python 3 standard library only.
Usage: python3 make_captions.py [--fm /usr/share/datasets/fashion-mnist] [--wordnet /usr/share/wordnet]
                                [--out work/fm-captions] [--seed 20261130] [--limit N]
Input: Debian packages dataset-fashion-mnist and wordnet-base.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import re
import struct
import sys
import zlib

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# The evaluation phrasing of each class (zero-shot class names): its Fashion-MNIST name in lower case; T-shirt/top
# becomes "t-shirt" so prompts read naturally.
EVAL_NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
# WordNet 3.0 noun synsets (data.noun offsets) per class: the class's own synset first, then kinds of it that look
# like the Fashion-MNIST pictures. Names are their lemmas, descriptions their definitions.
SYNSETS = [
    ["03595614", "04390577"],              # jersey/T-shirt/tee shirt; tank top
    ["04489008", "04233715", "03594734"],  # trouser/pant; slacks; jean/blue jean/denim
    ["04021028", "04370048", "04370456"],  # pullover/slipover; sweater/jumper; sweatshirt
    ["03236735", "03450230", "04355511"],  # dress/frock; gown; sundress
    ["03057021", "03456665", "04049405", "03254046"],  # coat; greatcoat/overcoat/topcoat; raincoat; duffel coat
    ["04133789", "03364008", "03297103"],  # sandal; flip-flop/thong; espadrille
    ["04197391", "03978966", "04602956"],  # shirt; polo shirt/sport shirt; work-shirt
    ["03472535", "03967270"],              # gym shoe/sneaker/tennis shoe; plimsoll
    ["02774152", "04207343", "03055418"],  # bag/handbag/pocketbook/purse; shoulder bag; clutch bag
    ["03027625", "02925666", "02872752"],  # chukka/chukka boot; half boot/...; boot
]
# Lemmas of the synsets above left out because their everyday sense is something else (underwear, a car pedal, a
# fabric, a property).
SKIP_LEMMAS = {"thong", "clutch", "denim", "waterproof"}
# "{a}" is the name with its article ("a coat", "an overcoat"); "{}" a definition as WordNet writes it.
TRAIN_NAME_TEMPLATES = [
    "{a} on a black background.",
    "a grayscale picture of {a}.",
    "a small square image of {a}.",
    "this is {a}.",
    "a catalogue image of {a}.",
    "a low resolution product shot of {a}.",
    "{a}, seen from the front.",
    "there is {a} in the picture.",
]
TRAIN_GLOSS_TEMPLATES = [
    "{}.",
    "a picture of {}.",
    "an image showing {}.",
    "{}, in grayscale.",
]
# Zero-shot prompts (open_clip / OpenAI ImageNet style, "{}" = class name, no article to get wrong).
EVAL_TEMPLATES = [
    "a photo of the {}.",
    "a bad photo of the {}.",
    "a low resolution photo of the {}.",
    "a black and white photo of the {}.",
    "a close-up photo of the {}.",
    "a cropped photo of the {}.",
    "itap of the {}.",
    "a photo of my {}.",
]
GLOSS_SHARE = 0.3          # fraction of training captions that use a definition instead of a name
SHARD_SIZE = 5000          # as `distillery import-idx`
PREFIXES = {"train": "fmcap-train", "test": "fmcap-test"}
IDX = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
       "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


# ---------------------------------------------------------------- WordNet (parsing as data/wordnet/make_corpus.py)

def read_synsets(path, offsets):
    """{offset: (lemmas, definition)} for the wanted data.noun offsets."""
    wanted, found = set(offsets), {}
    with open(path, encoding="utf-8", errors="strict") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("  ") or line[:8] not in wanted:
                continue
            head, sep, gloss = line.rstrip("\n").partition(" | ")
            fields = head.split(" ")
            if not sep or len(fields) < 4:
                sys.exit(f"{path}:{n}: not a synset line")
            count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(count)]
            found[fields[0]] = (lemmas, definition(gloss))
    missing = wanted - set(found)
    if missing:
        sys.exit(f"{path}: synsets {sorted(missing)} not found (is this WordNet 3.0?)")
    return found


def definition(gloss):
    """The gloss without its example sentences ('; "..."') and without a leading usage note '(usually ...)'."""
    text = " ".join(gloss.split()).split('; "')[0].strip().rstrip(";").strip()
    return re.sub(r"^\([^)]*\)\s*", "", text)


def with_article(name):
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def phrasings(wordnet_dir, hold_out_class_names=False):
    """Per class: (training names, training definitions). The class's evaluation phrasing comes first, unless
    hold_out_class_names: then names equal to any evaluation phrasing are left out."""
    synsets = read_synsets(os.path.join(wordnet_dir, "data.noun"), [o for c in SYNSETS for o in c])
    held_out = {n.lower() for n in EVAL_NAMES} if hold_out_class_names else set()
    out = []
    for c, offsets in enumerate(SYNSETS):
        names, defs = ([] if hold_out_class_names else [EVAL_NAMES[c]]), []
        for o in offsets:
            lemmas, d = synsets[o]
            for lemma in lemmas:
                if (lemma.lower() not in held_out and lemma not in SKIP_LEMMAS
                        and lemma.lower() not in (n.lower() for n in names)):
                    names.append(lemma)
            if d not in defs:
                defs.append(d)
        out.append((names, defs))
    return synsets, out


def training_captions(names, defs):
    """Every caption the training split can contain for one class."""
    return ([t.replace("{a}", with_article(n)) for t in TRAIN_NAME_TEMPLATES for n in names]
            + [t.replace("{}", d) for t in TRAIN_GLOSS_TEMPLATES for d in defs])


def eval_prompts():
    return [t.replace("{}", n) for n in EVAL_NAMES for t in EVAL_TEMPLATES]


def check_split(per_class, hold_out_class_names=False):
    """Fails unless the evaluation templates, phrasings and prompts are disjoint from everything training uses."""
    if set(EVAL_TEMPLATES) & set(TRAIN_NAME_TEMPLATES + TRAIN_GLOSS_TEMPLATES):
        sys.exit("an evaluation template is also a training template")
    for t in EVAL_TEMPLATES:
        if t.count("{}") != 1 or "{a}" in t:
            sys.exit(f"evaluation template {t!r} needs exactly one {{}} placeholder")
    held_out = {n.lower() for n in EVAL_NAMES}
    train = []
    for c, (names, defs) in enumerate(per_class):
        if not names:
            sys.exit(f"class {c} ({CLASSES[c]}) has no training name left")
        if hold_out_class_names and held_out & {n.lower() for n in names}:
            sys.exit(f"class {c}: a training name is an evaluation phrasing")
        train += training_captions(names, defs)
    lowered = [t.lower() for t in train]
    for p in eval_prompts():
        if any(p.lower() in t for t in lowered):
            sys.exit(f"evaluation prompt {p!r} occurs inside a training caption")
    return train


def caption(split, label, per_class, rnd):
    if split == "test":
        return rnd.choice(EVAL_TEMPLATES).replace("{}", EVAL_NAMES[label])
    names, defs = per_class[label]
    if rnd.random() < GLOSS_SHARE:
        return rnd.choice(TRAIN_GLOSS_TEMPLATES).replace("{}", rnd.choice(defs))
    return rnd.choice(TRAIN_NAME_TEMPLATES).replace("{a}", with_article(rnd.choice(names)))


# ---------------------------------------------------------------- IDX, PNG, tar

def read_idx(images_path, labels_path):
    with gzip.open(images_path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            sys.exit(f"{images_path}: not an IDX3 unsigned-byte file (magic {magic:#x})")
        pixels = f.read(n * rows * cols)
    with gzip.open(labels_path, "rb") as f:
        magic, m = struct.unpack(">II", f.read(8))
        if magic != 0x801:
            sys.exit(f"{labels_path}: not an IDX1 unsigned-byte file (magic {magic:#x})")
        labels = f.read(m)
    if len(pixels) != n * rows * cols or len(labels) != n or m != n:
        sys.exit(f"{images_path}: {n} images but {labels_path} has {m} labels (or a file is truncated)")
    if max(labels) >= len(CLASSES):
        sys.exit(f"{labels_path}: label {max(labels)} is not a Fashion-MNIST class")
    size = rows * cols
    return [pixels[i * size:(i + 1) * size] for i in range(n)], list(labels), (rows, cols)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_gray(pixels, rows, cols):
    """8-bit grayscale PNG as javax.imageio writes it: one IDAT, filter type 0 on every row, zlib level 4."""
    raw = b"".join(b"\x00" + pixels[r * cols:(r + 1) * cols] for r in range(rows))
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 4))
            + png_chunk(b"IEND", b""))


def octal(value, width):
    """A tar number field as Apache Commons Compress writes it: zero-padded octal, then a space."""
    return ("%0*o" % (width - 1, value)).encode("ascii") + b" "


def tar_member(name, content):
    """One ustar member (header + content padded to 512) with the fields `distillery import-idx` writes."""
    encoded = name.encode("utf-8")
    if len(encoded) > 100:
        sys.exit(f"member name {name!r} is longer than 100 bytes")
    header = bytearray(512)
    header[0:len(encoded)] = encoded
    header[100:108] = octal(0o100644, 8)
    header[108:116] = octal(0, 8)
    header[116:124] = octal(0, 8)
    header[124:136] = octal(len(content), 12)
    header[136:148] = octal(0, 12)
    header[148:156] = b" " * 8
    header[156:157] = b"0"
    header[257:263] = b"ustar\x00"
    header[263:265] = b"00"
    header[329:337] = octal(0, 8)
    header[337:345] = octal(0, 8)
    header[148:156] = ("%06o" % sum(header)).encode("ascii") + b"\x00 "
    return bytes(header) + content + bytes(-len(content) % 512)


def write_shards(out_dir, prefix, samples):
    """samples: (key, png, label, caption); returns the shard list for the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    shards = []
    for start in range(0, len(samples), SHARD_SIZE):
        part = samples[start:start + SHARD_SIZE]
        name = "%s-%06d.tar" % (prefix, len(shards))
        body = bytearray()
        for key, png, label, text in part:
            body += tar_member(key + ".png", png)
            body += tar_member(key + ".cls", str(label).encode("ascii"))
            body += tar_member(key + ".txt", text.encode("utf-8"))
        body += bytes(1024)
        tmp = os.path.join(out_dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(body)
        os.replace(tmp, os.path.join(out_dir, name))
        shards.append({"name": name, "samples": len(part), "bytes": len(body),
                       "sha256": hashlib.sha256(body).hexdigest(), "first_key": part[0][0], "last_key": part[-1][0]})
    return shards


def build_split(split, fm_dir, per_class, seed, limit):
    images_name, labels_name = IDX[split]
    images, labels, (rows, cols) = read_idx(os.path.join(fm_dir, images_name), os.path.join(fm_dir, labels_name))
    n = len(images) if limit is None else min(limit, len(images))
    rnd = random.Random(f"{seed}:{split}")
    samples = []
    for i in range(n):
        key = "%s/%06d" % (PREFIXES[split], i)
        samples.append((key, png_gray(images[i], rows, cols), labels[i], caption(split, labels[i], per_class, rnd)))
    return samples, {"images": os.path.join(fm_dir, images_name), "labels": os.path.join(fm_dir, labels_name)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fm", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--wordnet", default="/usr/share/wordnet")
    p.add_argument("--out", default="work/fm-captions")
    p.add_argument("--seed", type=int, default=20261130)
    p.add_argument("--limit", type=int, help="only the first N images of each split (for a quick look)")
    p.add_argument("--hold-out-class-names", action="store_true",
                   help="keep the evaluation class names out of every training caption (see the split rule)")
    a = p.parse_args()
    synsets, per_class = phrasings(a.wordnet, a.hold_out_class_names)
    train_captions = check_split(per_class, a.hold_out_class_names)

    os.makedirs(a.out, exist_ok=True)
    manifest = {"format": "webdataset", "generator": "data/fm-captions/make_captions.py", "seed": a.seed,
                "members": {"png": "the image, 8-bit grayscale PNG 28x28", "cls": "the label, a decimal integer",
                            "txt": "one caption, UTF-8"},
                "classes": CLASSES, "eval_names": EVAL_NAMES,
                "synsets": [[{"offset": o, "lemmas": synsets[o][0], "definition": synsets[o][1]} for o in c]
                            for c in SYNSETS],
                "train_names": [n for n, _ in per_class], "train_definitions": [d for _, d in per_class],
                "train_name_templates": TRAIN_NAME_TEMPLATES, "train_gloss_templates": TRAIN_GLOSS_TEMPLATES,
                "eval_templates": EVAL_TEMPLATES, "gloss_share": GLOSS_SHARE,
                "class_names_held_out": a.hold_out_class_names,
                "distinct_training_captions": len(set(train_captions)), "splits": {}}
    for split in ("train", "test"):
        samples, source = build_split(split, a.fm, per_class, a.seed, a.limit)
        shards = write_shards(os.path.join(a.out, split), PREFIXES[split], samples)
        counts = {}
        for _, _, label, _ in samples:
            counts[str(label)] = counts.get(str(label), 0) + 1
        manifest["splits"][split] = {"samples": len(samples), "source": source, "label_counts": counts,
                                     "distinct_captions": len({s[3] for s in samples}), "shards": shards}
        print(f"{a.out}/{split}: {len(samples)} samples in {len(shards)} shard(s), "
              f"{manifest['splits'][split]['distinct_captions']} distinct captions")
    with open(os.path.join(a.out, "zero-shot-templates.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(t + "\n" for t in EVAL_TEMPLATES))
    with open(os.path.join(a.out, "class-names.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(n + "\n" for n in EVAL_NAMES))
    with open(os.path.join(a.out, "captions.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
