"""Checks of make_captions.py. Run from the repository root:  python3 -m unittest data/fm-captions/test_make_captions.py
(or `python3 data/fm-captions/test_make_captions.py`). Needs wordnet-base and dataset-fashion-mnist; the byte-equality
check against `distillery import-idx` output runs only where such a shard exists (FMNIST_SHARD or work/fm/train)."""
import gzip
import io
import os
import random
import re
import sys
import tarfile
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_captions as mc  # noqa: E402

FM = "/usr/share/datasets/fashion-mnist"
WORDNET = "/usr/share/wordnet"


def existing_shard():
    for path in (os.environ.get("FMNIST_SHARD", ""), "work/fm/train/fmnist-train-000000.tar"):
        if path and os.path.isfile(path):
            return path
    return None


def decode_png(data):
    """Pixels of an 8-bit grayscale PNG with filter type 0 rows (what png_gray writes)."""
    i, idat, rows, cols = 8, b"", 0, 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            cols, rows = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8:10] == b"\x08\x00", "not 8-bit grayscale"
        elif kind == b"IDAT":
            idat += body
        i += 12 + n
    raw = zlib.decompress(idat)
    assert all(raw[r * (cols + 1)] == 0 for r in range(rows))
    return b"".join(raw[r * (cols + 1) + 1:(r + 1) * (cols + 1)] for r in range(rows))


class SplitTest(unittest.TestCase):
    def setUp(self):
        self.synsets, self.per_class = mc.phrasings(WORDNET)

    def test_by_default_each_class_is_named_by_its_evaluation_phrasing_first(self):
        self.assertEqual(len(self.per_class), 10)
        for c, (names, defs) in enumerate(self.per_class):
            self.assertTrue(names and defs, mc.CLASSES[c])
            self.assertEqual(names[0], mc.EVAL_NAMES[c])
            self.assertEqual(len({n.lower() for n in names}), len(names), mc.CLASSES[c])
        mc.check_split(self.per_class)

    def test_held_out_class_names_never_name_a_class_in_training(self):
        held_out = {n.lower() for n in mc.EVAL_NAMES}
        _, strict = mc.phrasings(WORDNET, hold_out_class_names=True)
        for c, (names, defs) in enumerate(strict):
            self.assertTrue(names and defs, mc.CLASSES[c])
            self.assertFalse(held_out & {n.lower() for n in names}, mc.CLASSES[c])
        mc.check_split(strict, hold_out_class_names=True)
        with self.assertRaises(SystemExit):
            mc.check_split(self.per_class, hold_out_class_names=True)

    def test_no_evaluation_prompt_occurs_in_any_possible_training_caption(self):
        train = [t.lower() for names, defs in self.per_class for t in mc.training_captions(names, defs)]
        prompts = mc.eval_prompts()
        self.assertEqual(len(prompts), len(mc.EVAL_NAMES) * len(mc.EVAL_TEMPLATES))
        for p in prompts:
            self.assertFalse([t for t in train if p.lower() in t], p)
        self.assertFalse(set(mc.EVAL_TEMPLATES) & set(mc.TRAIN_NAME_TEMPLATES + mc.TRAIN_GLOSS_TEMPLATES))
        # And the guard itself notices a leak.
        leaky = [(names, defs + [mc.eval_prompts()[0]]) for names, defs in self.per_class]
        with self.assertRaises(SystemExit):
            mc.check_split(leaky)

    def test_captions_come_from_the_right_side_and_the_seed_fixes_them(self):
        def draw(split, seed):
            rnd = random.Random(seed)
            return [mc.caption(split, i % 10, self.per_class, rnd) for i in range(200)]
        self.assertEqual(draw("train", 1), draw("train", 1))
        self.assertNotEqual(draw("train", 1), draw("train", 2))
        prompts = set(mc.eval_prompts())
        for i, text in enumerate(draw("test", 3)):
            self.assertIn(text, prompts)
            self.assertIn(mc.EVAL_NAMES[i % 10], text)
        allowed = [set(mc.training_captions(*self.per_class[c])) for c in range(10)]
        for i, text in enumerate(draw("train", 4)):
            self.assertIn(text, allowed[i % 10])

    def test_articles_follow_the_name(self):
        self.assertEqual(mc.with_article("overcoat"), "an overcoat")
        self.assertEqual(mc.with_article("frock"), "a frock")
        self.assertEqual(mc.definition('(usually in the plural) pants for casual wear; "he wore slacks"'),
                         "pants for casual wear")


class ShardFormatTest(unittest.TestCase):
    def test_png_round_trips_the_idx_pixels(self):
        images, labels, (rows, cols) = mc.read_idx(os.path.join(FM, mc.IDX["test"][0]), os.path.join(FM, mc.IDX["test"][1]))
        self.assertEqual((len(images), rows, cols), (10000, 28, 28))
        for i in (0, 1, 9999):
            self.assertEqual(decode_png(mc.png_gray(images[i], rows, cols)), images[i])

    def test_members_are_what_import_idx_writes_byte_for_byte(self):
        shard = existing_shard()
        if shard is None:
            self.skipTest("no fmnist-train shard from `distillery import-idx` here")
        images, labels, (rows, cols) = mc.read_idx(os.path.join(FM, mc.IDX["train"][0]), os.path.join(FM, mc.IDX["train"][1]))
        expected = b"".join(mc.tar_member("fmnist-train/%06d.png" % i, mc.png_gray(images[i], rows, cols))
                            + mc.tar_member("fmnist-train/%06d.cls" % i, str(labels[i]).encode("ascii"))
                            for i in range(20))
        with open(shard, "rb") as f:
            self.assertEqual(f.read(len(expected)), expected)

    def test_written_shards_read_back_with_tarfile(self):
        with tempfile.TemporaryDirectory() as tmp:
            samples = [("fmcap-test/%06d" % i, mc.png_gray(bytes([i]) * 784, 28, 28), i % 10, "a photo of the bag.")
                       for i in range(7)]
            shards = mc.write_shards(tmp, "fmcap-test", samples)
            self.assertEqual([s["samples"] for s in shards], [7])
            with tarfile.open(os.path.join(tmp, "fmcap-test-000000.tar")) as t:
                names = t.getnames()
                self.assertEqual(names[:3], ["fmcap-test/000000.png", "fmcap-test/000000.cls", "fmcap-test/000000.txt"])
                self.assertEqual(t.extractfile("fmcap-test/000006.txt").read(), b"a photo of the bag.")
                self.assertEqual(t.extractfile("fmcap-test/000006.cls").read(), b"6")
                self.assertEqual(decode_png(t.extractfile("fmcap-test/000003.png").read()), bytes([3]) * 784)


if __name__ == "__main__":
    unittest.main()
