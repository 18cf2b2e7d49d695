"""Checks of train_clip_teacher.py (stdlib unittest, a few seconds):

    /usr/bin/python3 -m unittest data/fm-captions/test_train_clip_teacher.py

The shard checks read work/fm-captions (make_captions.py's output) under the repository root, or FM_CAPTIONS=DIR;
without shards they are skipped.
"""
import gzip
import io
import json
import os
import struct
import sys
import tarfile
import tempfile
import unittest
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_clip_teacher as tct  # noqa: E402

DATA = os.environ.get("FM_CAPTIONS", os.path.join(tct.ROOT, "work", "fm-captions"))
FIRST_TRAIN_SHARD = os.path.join(DATA, "train", "fmcap-train-000000.tar")
IDX_TRAIN = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
GOLDENS = os.path.join(tct.ROOT, "common", "src", "test", "resources", "clip-text", "goldens.json")

# row 14 of fmcap-train/000000.png (Fashion-MNIST train image 0, an ankle boot) and the sum of all its pixels
ROW_14 = [0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255,
          77, 0]
PIXEL_SUM = 76247


def shard_members(path, limit):
    """The first `limit` samples of a shard as {key: {ext: bytes}} in shard order."""
    out = {}
    with tarfile.open(path) as tar:
        for member in tar:
            key, _, ext = member.name.rpartition(".")
            if key not in out and len(out) == limit:
                break
            out.setdefault(key, {})[ext] = tar.extractfile(member).read()
    return out


def png_gray8(pixels, filters):
    """An 8-bit grayscale PNG of `pixels` [H, W] with row y filtered by filters[y % len(filters)] (types 0-4)."""
    h, w = pixels.shape
    raw = bytearray()
    prev = [0] * w
    for y in range(h):
        ftype = filters[y % len(filters)]
        line = [int(v) for v in pixels[y]]
        out = []
        for x in range(w):
            a = line[x - 1] if x else 0
            b = prev[x]
            c = prev[x - 1] if x else 0
            pred = [0, a, b, (a + b) >> 1, tct._paeth(a, b, c)][ftype]
            out.append((line[x] - pred) & 0xFF)
        raw.append(ftype)
        raw.extend(out)
        prev = line

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    compressed = zlib.compress(bytes(raw), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", compressed[:10]) + chunk(b"IDAT", compressed[10:]) + chunk(b"IEND", b""))


class PngTest(unittest.TestCase):
    def test_every_filter_type_round_trips(self):
        rng = np.random.default_rng(3)
        pixels = rng.integers(0, 256, size=(9, 7), dtype=np.uint8)
        for filters in ([0], [1], [2], [3], [4], [0, 1, 2, 3, 4]):
            with self.subTest(filters=filters):
                np.testing.assert_array_equal(tct.decode_png_gray8(png_gray8(pixels, filters)), pixels)

    def test_refuses_other_formats(self):
        data = bytearray(png_gray8(np.zeros((2, 2), np.uint8), [0]))
        data[8 + 8 + 9] = 2  # colour type RGB
        with self.assertRaises(ValueError):
            tct.decode_png_gray8(bytes(data))

    @unittest.skipUnless(os.path.exists(FIRST_TRAIN_SHARD), "no caption shards under " + DATA)
    def test_shard_member_has_the_known_pixels(self):
        png = shard_members(FIRST_TRAIN_SHARD, 1)["fmcap-train/000000"]["png"]
        pixels = tct.decode_png_gray8(png)
        self.assertEqual(pixels.shape, (28, 28))
        self.assertEqual(pixels[14].tolist(), ROW_14)
        self.assertEqual(int(pixels.sum()), PIXEL_SUM)
        if os.path.exists(IDX_TRAIN):  # the source image itself (dataset-fashion-mnist)
            with gzip.open(IDX_TRAIN) as f:
                source = np.frombuffer(f.read(16 + 784)[16:], np.uint8).reshape(28, 28)
            np.testing.assert_array_equal(pixels, source)


class TokenizerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tokenizer = tct.load_tokenizer_module().SimpleTokenizer()
        with open(GOLDENS, encoding="utf-8") as f:
            cls.goldens = json.load(f)

    def test_goldens(self):
        # every case of ClipTokenizer's goldens (captions, unicode, html, contractions, long and short contexts)
        for case in self.goldens["cases"]:
            with self.subTest(text=case["text"][:40], group=case["group"]):
                self.assertEqual(self.tokenizer([case["text"]], case["context_length"])[0], case["ids"])

    def test_vocabulary(self):
        self.assertEqual(len(self.tokenizer.encoder), 49408)
        self.assertEqual((self.tokenizer.sot_token_id, self.tokenizer.eot_token_id), (49406, 49407))

    def test_too_long_caption_is_refused(self):
        with self.assertRaises(SystemExit) as e:
            tct.tokenize_all(self.tokenizer, ["a photo of " * 20], 32)
        self.assertIn("context length 32", str(e.exception))


class ViewsTest(unittest.TestCase):
    def test_eval_pixels_are_distillery_normalisation(self):
        img = np.arange(256, dtype=np.uint8)[:256].reshape(16, 16)
        x = tct.eval_pixels(img[None])
        self.assertEqual(tuple(x.shape), (1, 3, 16, 16))
        for c in range(3):
            # ImageNormalizer: ((float) p / 255f - (float) mean) / (float) std, all float32
            expected = (np.float32(img) / np.float32(255) - np.float32(tct.MEAN[c])) / np.float32(tct.STD[c])
            np.testing.assert_array_equal(x[0, c].numpy(), expected)

    def test_full_box_training_view_is_the_image(self):
        img = np.random.default_rng(1).integers(0, 256, (2, 28, 28), dtype=np.uint8)
        theta = torch.tensor([[[1.0, 0, 0], [0, 1.0, 0]]] * 2)
        grid = torch.nn.functional.affine_grid(theta, (2, 1, 28, 28), align_corners=False)
        x = torch.from_numpy(img).float().unsqueeze(1) / 255
        out = torch.nn.functional.grid_sample(x, grid, mode="bilinear", align_corners=False)
        torch.testing.assert_close(out, x)
        views = tct.train_views(img, torch.Generator().manual_seed(0))
        self.assertEqual(tuple(views.shape), (2, 3, 28, 28))


def open_clip_names(cfg):
    """open_clip CLIP state_dict names and shapes for a native ViT config (mlp_ratio 4)."""
    v, t, e = cfg["vision_cfg"], cfg["text_cfg"], cfg["embed_dim"]
    vw, tw, grid = v["width"], t["width"], v["image_size"] // v["patch_size"]

    def block(prefix, w):
        return {prefix + "ln_1.weight": [w], prefix + "ln_1.bias": [w],
                prefix + "attn.in_proj_weight": [3 * w, w], prefix + "attn.in_proj_bias": [3 * w],
                prefix + "attn.out_proj.weight": [w, w], prefix + "attn.out_proj.bias": [w],
                prefix + "ln_2.weight": [w], prefix + "ln_2.bias": [w],
                prefix + "mlp.c_fc.weight": [4 * w, w], prefix + "mlp.c_fc.bias": [4 * w],
                prefix + "mlp.c_proj.weight": [w, 4 * w], prefix + "mlp.c_proj.bias": [w]}

    names = {"visual.class_embedding": [vw], "visual.positional_embedding": [grid * grid + 1, vw],
             "visual.proj": [vw, e], "visual.conv1.weight": [vw, 3, v["patch_size"], v["patch_size"]],
             "visual.ln_pre.weight": [vw], "visual.ln_pre.bias": [vw],
             "visual.ln_post.weight": [vw], "visual.ln_post.bias": [vw],
             "positional_embedding": [t["context_length"], tw], "text_projection": [tw, e], "logit_scale": [],
             "token_embedding.weight": [t["vocab_size"], tw], "ln_final.weight": [tw], "ln_final.bias": [tw]}
    for n in range(v["layers"]):
        names.update(block("visual.transformer.resblocks.%d." % n, vw))
    for n in range(t["layers"]):
        names.update(block("transformer.resblocks.%d." % n, tw))
    return names


def read_safetensors_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        size = os.path.getsize(path)
    return n, header, size


class ModelTest(unittest.TestCase):
    def test_default_model_has_open_clip_names(self):
        cfg = tct.model_config(tct.parse_args([]))
        self.assertEqual(cfg, tct.DEFAULTS)
        model = tct.CLIP(cfg)
        got = {k: list(v.shape) for k, v in model.state_dict().items()}
        self.assertEqual(got, open_clip_names(cfg))
        self.assertAlmostEqual(float(model.logit_scale), np.log(1 / 0.07), places=6)

    @unittest.skipUnless(os.path.exists(FIRST_TRAIN_SHARD), "no caption shards under " + DATA)
    def test_two_training_steps_write_the_outputs(self):
        samples = shard_members(FIRST_TRAIN_SHARD, 24)
        with tempfile.TemporaryDirectory() as tmp:
            for split, keys in (("train", list(samples)[:16]), ("test", list(samples)[16:])):
                os.makedirs(os.path.join(tmp, split))
                with tarfile.open(os.path.join(tmp, split, "x-000000.tar"), "w") as tar:
                    for key in keys:
                        for ext, data in sorted(samples[key].items()):
                            info = tarfile.TarInfo("%s.%s" % (key, ext))
                            info.size = len(data)
                            tar.addfile(info, io.BytesIO(data))
            for name in ("class-names.txt", "zero-shot-templates.txt"):
                with open(os.path.join(DATA, name), encoding="utf-8") as src, \
                        open(os.path.join(tmp, name), "w", encoding="utf-8") as dst:
                    dst.write(src.read())
            out = os.path.join(tmp, "out")
            args = tct.parse_args(["--data", tmp, "--out", out, "--batch-size", "8", "--epochs", "1",
                                   "--warmup", "1", "--lr", "1e-3", "--log-every", "1", "--threads", "1",
                                   "--vision-width", "32", "--vision-layers", "1", "--head-width", "16",
                                   "--text-width", "32", "--text-heads", "2", "--text-layers", "1",
                                   "--embed-dim", "16"])
            report = tct.train(args)
            self.assertEqual(report["steps"], 2)
            self.assertTrue(np.isfinite(report["first_loss"]) and np.isfinite(report["final_loss"]))
            print("\n2 steps: loss %.4f -> %.4f" % (report["first_loss"], report["final_loss"]), file=sys.stderr)
            self.assertEqual(report["zero_shot"]["images"], 8)
            with open(os.path.join(out, "train-log.jsonl"), encoding="utf-8") as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual([e["step"] for e in entries], [1, 2])
            self.assertEqual(set(entries[0]), {"step", "epoch", "loss", "lr", "logit_scale", "images_per_s",
                                               "elapsed_s"})
            with open(os.path.join(out, "model.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            self.assertEqual(cfg["vision_cfg"]["width"], 32)
            # the keys of the config Distillery's ClipConfigJson tests read (common/src/test/resources/clip)
            with open(os.path.join(tct.ROOT, "common", "src", "test", "resources", "clip", "ViT-tiny.json"),
                      encoding="utf-8") as f:
                tiny = json.load(f)
            self.assertEqual(set(cfg), set(tiny))
            for section in ("vision_cfg", "text_cfg"):
                self.assertEqual(set(cfg[section]), set(tiny[section]))
            n, header, size = read_safetensors_header(os.path.join(out, "model.safetensors"))
            self.assertEqual(n % 8, 0)
            meta = header.pop("__metadata__")
            self.assertEqual(meta, {"format": "pt"})
            self.assertEqual({k: v["shape"] for k, v in header.items()}, open_clip_names(cfg))
            self.assertTrue(all(v["dtype"] == "F32" for v in header.values()))
            self.assertEqual(8 + n + max(v["data_offsets"][1] for v in header.values()), size)


if __name__ == "__main__":
    unittest.main()
