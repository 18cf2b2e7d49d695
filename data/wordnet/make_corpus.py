#!/usr/bin/env python3
"""WordNet 3.0 gloss corpus for MLM pretraining (and gloss -> lexicographer-category classification).

One example per synset: "<lexname>\t<gloss>", the gloss being WordNet's definition followed by its example
sentences as WordNet writes them (e.g. 'an act that has disastrous consequences' or
'the destruction of an enemy plane ...; "the pilot reported two kills during the mission"').
The label is the synset's lexicographer file (lexnames(5WN)), e.g. noun.animal, verb.motion, adj.all.

Split: a synset goes to test when the first 8 bytes of sha256("<pos>:<offset>") (pos n/v/a/s/r, offset the
8-digit data-file offset) are 0 modulo 10 (about 10 %), else to train; lines are sorted by (pos file, offset).
Deterministic: same WordNet files, same output bytes. Python 3 standard library only.

Usage: python3 make_corpus.py [--wordnet /usr/share/wordnet] [--out work/wordnet]
Input: Debian's wordnet-base package (apt-get install -y wordnet-base).
"""
import argparse
import hashlib
import os
import sys

# lexnames(5WN): the lexicographer file numbers in field 2 of every data.* line (Debian ships no lexnames file)
LEXNAMES = [
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
    "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
    "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
    "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
    "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
    "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
    "verb.weather", "adj.ppl",
]
FILES = ["data.noun", "data.verb", "data.adj", "data.adv"]
TEST_MODULUS = 10


def is_test(pos, offset):
    digest = hashlib.sha256(f"{pos}:{offset}".encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % TEST_MODULUS == 0


def synsets(path):
    """Yields (offset, pos, lexname, gloss) for each synset line of a data.* file."""
    with open(path, encoding="utf-8", errors="strict") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("  "):  # the licence header
                continue
            head, sep, gloss = line.rstrip("\n").partition(" | ")
            fields = head.split(" ")
            if not sep or len(fields) < 4:
                sys.exit(f"{path}:{n}: not a synset line")
            offset, lex, pos = fields[0], int(fields[1]), fields[2]
            gloss = " ".join(gloss.replace("\t", " ").split())
            if gloss:
                yield offset, pos, LEXNAMES[lex], gloss


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wordnet", default="/usr/share/wordnet")
    p.add_argument("--out", default="work/wordnet")
    a = p.parse_args()
    missing = [f for f in FILES if not os.path.isfile(os.path.join(a.wordnet, f))]
    if missing:
        sys.exit(f"{a.wordnet}: missing {', '.join(missing)} (apt-get install -y wordnet-base)")
    os.makedirs(a.out, exist_ok=True)
    counts = {"train": 0, "test": 0}
    outs = {s: open(os.path.join(a.out, s + ".txt"), "w", encoding="utf-8", newline="\n") for s in counts}
    try:
        for name in FILES:
            for offset, pos, label, gloss in synsets(os.path.join(a.wordnet, name)):
                split = "test" if is_test(pos, offset) else "train"
                outs[split].write(f"{label}\t{gloss}\n")
                counts[split] += 1
    finally:
        for f in outs.values():
            f.close()
    print(f"{a.out}: train {counts['train']} synsets, test {counts['test']}")


if __name__ == "__main__":
    main()
