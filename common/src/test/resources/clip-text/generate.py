#!/usr/bin/env python3
"""Golden ids for io.distillery.text.ClipTokenizer: open_clip's SimpleTokenizer and tokenize(), transcribed.

Run from anywhere with Python 3.11 and the `regex` package (tested: Python 3.11.7, regex 2026.5.9):
    /usr/bin/python3 common/src/test/resources/clip-text/generate.py
It writes, from the committed vocabulary common/src/main/resources/io/distillery/text/bpe_simple_vocab_16e6.txt.gz:
  goldens.json                     (next to this file) every case: text, context_length and the expected ids
  ../../../main/resources/io/distillery/text/clip-unicode.txt    the character classes the Java code uses
  ../../../main/resources/io/distillery/text/html5-entities.txt  html.unescape's tables
Same input, same bytes on every run. With --ftfy-report (and ftfy installed, e.g. pip install --target DIR ftfy and
PYTHONPATH=DIR) it also prints the cases whose ids open_clip's ftfy.fix_text would change.

SimpleTokenizer below follows mlfoundations/open_clip src/open_clip/tokenizer.py (itself OpenAI CLIP's) line for
line, with two deliberate differences that the Java code shares:
  * basic_clean has no ftfy.fix_text (ftfy exists for Python only): html.unescape twice, then strip.
  * the special tokens are spelt as OpenAI CLIP and Hugging Face spell them, <|startoftext|> and <|endoftext|>
    (open_clip renamed them <start_of_text>/<end_of_text>); the ids, 49406 and 49407, are the same. The spelling
    matters only for text that contains it literally, which then becomes that special token.
"""
import gzip
import html
import html.entities
import json
import os
import sys
import unicodedata
from functools import lru_cache

import regex as re

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.normpath(os.path.join(HERE, "..", "..", "..", "main", "resources", "io", "distillery", "text"))
BPE_PATH = os.path.join(MAIN, "bpe_simple_vocab_16e6.txt.gz")
MAX_UNICODE = 0x110000


# ---- open_clip tokenizer.py, transcribed ---------------------------------------------------------------------

@lru_cache()
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    cs = [chr(n) for n in cs]
    return dict(zip(bs, cs))


def get_pairs(word):
    pairs = set()
    prev_char = word[0]
    for char in word[1:]:
        pairs.add((prev_char, char))
        prev_char = char
    return pairs


def basic_clean(text):
    # open_clip: text = ftfy.fix_text(text) first; left out here and in Java (see the module docstring)
    text = html.unescape(html.unescape(text))
    return text.strip()


def whitespace_clean(text):
    text = " ".join(text.split())
    text = text.strip()
    return text


def clean_lower(x):
    # open_clip's default clean='lower'
    return whitespace_clean(basic_clean(x)).lower()


class SimpleTokenizer(object):
    def __init__(self, bpe_path=BPE_PATH):
        self.byte_encoder = bytes_to_unicode()
        merges = gzip.open(bpe_path).read().decode("utf-8").split('\n')
        merges = merges[1:49152 - 256 - 2 + 1]
        merges = [tuple(merge.split()) for merge in merges]
        vocab = list(bytes_to_unicode().values())
        vocab = vocab + [v + '</w>' for v in vocab]
        for merge in merges:
            vocab.append(''.join(merge))
        special_tokens = ['<|startoftext|>', '<|endoftext|>']
        vocab.extend(special_tokens)
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {t: t for t in special_tokens}
        special = "|".join(re.escape(t) for t in special_tokens)
        self.pat = re.compile(
            special + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            re.IGNORECASE,
        )
        self.sot_token_id = self.encoder[special_tokens[0]]
        self.eot_token_id = self.encoder[special_tokens[1]]

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        pairs = get_pairs(word)

        if not pairs:
            return token + '</w>'

        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float('inf')))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except Exception:
                    new_word.extend(word[i:])
                    break

                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            new_word = tuple(new_word)
            word = new_word
            if len(word) == 1:
                break
            else:
                pairs = get_pairs(word)
        word = ' '.join(word)
        self.cache[token] = word
        return word

    def encode(self, text):
        bpe_tokens = []
        text = clean_lower(text)
        for token in re.findall(self.pat, text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            bpe_tokens.extend(self.encoder[bpe_token] for bpe_token in self.bpe(token).split(' '))
        return bpe_tokens

    def __call__(self, texts, context_length=77):
        # tokenize(): [sot] + encode + [eot], cut to context_length with eot kept last, zero padded
        all_tokens = [[self.sot_token_id] + self.encode(text) + [self.eot_token_id] for text in texts]
        result = []
        for tokens in all_tokens:
            if len(tokens) > context_length:
                tokens = tokens[:context_length]
                tokens[-1] = self.eot_token_id
            result.append(tokens + [0] * (context_length - len(tokens)))
        return result


# ---- the tables the Java code reads ---------------------------------------------------------------------------

def ranges(predicate):
    out = []
    start = None
    for cp in range(MAX_UNICODE + 1):
        inside = cp < MAX_UNICODE and predicate(cp)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            out.append("%x" % start if start == cp - 1 else "%x-%x" % (start, cp - 1))
            start = None
    return out


def wrapped(items, width=110):
    lines, line = [], ""
    for item in items:
        if line and len(line) + 1 + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = item if not line else line + " " + item
    if line:
        lines.append(line)
    return lines


def hexes(s):
    return " ".join("%x" % ord(c) for c in s)


def unicode_tables():
    # the classes of the tokenizer's own pattern, compiled with its IGNORECASE flag (which widens them a little)
    letter = re.compile(r"[\p{L}]", re.IGNORECASE)
    number = re.compile(r"[\p{N}]", re.IGNORECASE)
    other = re.compile(r"[^\s\p{L}\p{N}]", re.IGNORECASE)
    chars = [chr(cp) for cp in range(MAX_UNICODE)]
    out = [
        "# Character classes of open_clip's CLIP tokenizer as Python %s and regex %s see them (Unicode %s); the"
        % (sys.version.split()[0], re.__version__, unicodedata.unidata_version),
        "# JDK's Unicode data is older. Written by src/test/resources/clip-text/generate.py; do not edit.",
        "# Hexadecimal code points; a section runs until the next [name] line.",
        "[letter]   # [\\p{L}] of the pre-tokenization pattern (with IGNORECASE, as all below)",
    ]
    out += wrapped(ranges(lambda cp: letter.match(chars[cp]) is not None))
    out.append("[number]   # [\\p{N}]")
    out += wrapped(ranges(lambda cp: number.match(chars[cp]) is not None))
    out.append("[other]   # [^\\s\\p{L}\\p{N}]")
    out += wrapped(ranges(lambda cp: other.match(chars[cp]) is not None))
    out.append("[str_space]   # str.isspace: what str.split() and str.strip() take for whitespace")
    out += wrapped(ranges(lambda cp: chars[cp].isspace()))
    # str.lower's Final_Sigma rule looks past case-ignorable characters for cased ones; CPython does not expose
    # either property, so they are read off lower() itself
    sigma = "\u03a3"
    cased = lambda cp: chars[cp].__add__(sigma).lower()[-1] == "\u03c2"
    out.append("[cased]   # cased and not case-ignorable: X + U+03A3 lowercases to x + final sigma U+03C2")
    out += wrapped(ranges(cased))
    out.append("[case_ignorable]   # A + X + U+03A3 lowercases to a final sigma though X + U+03A3 does not")
    out += wrapped(ranges(lambda cp: not cased(cp) and ("A" + chars[cp] + sigma).lower()[-1] == "\u03c2"))
    out.append("[lower]   # str.lower of one code point, where it is not the code point itself: from: to...")
    for cp in range(MAX_UNICODE):
        if cp != 0x3A3 and chars[cp].lower() != chars[cp]:
            out.append("%x: %s" % (cp, hexes(chars[cp].lower())))
    out.append("[ignorecase]   # other code points the regex's IGNORECASE matches to an ASCII letter: letter: code points")
    any_letter = re.compile("[a-z]", re.IGNORECASE)
    candidates = [ch for ch in chars if any_letter.fullmatch(ch)]
    for c in "abcdefghijklmnopqrstuvwxyz":
        p = re.compile(re.escape(c), re.IGNORECASE)
        others = [ch for ch in candidates if ch not in (c, c.upper()) and p.fullmatch(ch)]
        if others:
            out.append("%s: %s" % (c, " ".join("%x" % ord(ch) for ch in others)))
    return out


def html_tables():
    invalid_charrefs = html._invalid_charrefs
    invalid_codepoints = sorted(html._invalid_codepoints)
    out = [
        "# html.unescape's tables (Python %s): the HTML5 named character references and the numeric ones it"
        % sys.version.split()[0],
        "# replaces or drops. Written by src/test/resources/clip-text/generate.py; do not edit.",
        "[invalid_charref]   # number: replacement code points",
    ]
    for num in sorted(invalid_charrefs):
        out.append("%x: %s" % (num, hexes(invalid_charrefs[num])))
    out.append("[invalid_codepoint]   # numeric references that become nothing")
    out += wrapped(["%x" % cp for cp in invalid_codepoints])
    out.append("[entity]   # name (with its ';' where the name needs one): code points")
    for name in sorted(html.entities.html5):
        out.append("%s: %s" % (name, hexes(html.entities.html5[name])))
    return out


# ---- the cases ----------------------------------------------------------------------------------------------

CAPTIONS = [
    "a photo of a cat",
    "A photo of a dog.",
    "a diagram",
    "a painting of a red fox sitting in the snow",
    "Two young men playing frisbee in a park on a sunny afternoon.",
    "A close-up photo of a bright yellow sunflower against a blue sky",
    "an aerial view of a coastal city at night, with lights reflecting on the water",
    "This is a photo of a Golden Retriever puppy chewing on a tennis ball!",
    "a black-and-white photograph of an old steam locomotive",
    "people walking down a busy street in Tokyo",
    "A plate of spaghetti bolognese with parmesan and basil",
    "the Eiffel Tower seen from the Trocadéro",
    "a bowl of ramen with a soft-boiled egg",
    "An astronaut riding a horse on Mars, digital art",
    "a low-poly 3D render of a mountain landscape",
    "satellite imagery of farmland",
    "a centered satellite photo of a river",
    "a photo of the number: \"7\".",
    "a bad photo of a bicycle.",
    "a sketch of a giraffe.",
    "a tattoo of a dragon.",
    "itap of a camera.",
    "a photo of my clean car.",
    "a photo of a large jellyfish.",
    "a cropped photo of the pizza.",
    "an embroidered airplane.",
    "a plushie lighthouse.",
    "the origami goldfish.",
    "a rendition of a volcano.",
    "a blurry photo of a husky.",
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "antidisestablishmentarianism",
    "hello world",
    "Hello World",
    "HELLO WORLD",
    "hElLo WoRlD",
    "photo", "photos", "photograph", "photographer", "photographic", "photography",
    "un chat noir sur un canapé",
    "ein Hund läuft über die Straße",
    "el niño está en la playa",
    "una città italiana al tramonto",
]

PUNCTUATION = [
    "!", "?", ".", "...", "!!!", "?!", "a.b.c", "end.", "(parentheses)", "[brackets]", "{braces}",
    "quotes \"double\" and 'single'", "a-b_c/d\\e", "e-mail: someone@example.com", "https://example.com/a?b=c&d=e",
    "#hashtag @mention $100 50% 3*4=12", "semi;colon, comma: colon", "~tilde^caret`backtick|pipe",
    "--dashes-- and —em dashes— and –en–", "“curly quotes” and ‘single ones’", "«guillemets» ‹single›",
    "¡Hola! ¿Qué tal?", "…ellipsis…", "a+b=c", "<tag>", "</tag>", "<|startoftext|>", "<|endoftext|>",
    "a <|endoftext|> in the middle", "<|ENDOFTEXT|> in capitals", "<|startoftext|>hello<|endoftext|>",
    "<start_of_text> open_clip's spelling", "<|endoftext", "<|ſtartoftext|>", "'", "''", "'''", "'s",
    "____", "-_-", ":-)", ";)", "<3", "¯\\_(ツ)_/¯", "©®™", "°C °F", "±×÷", "§¶†‡", "•·", "€£¥¢", "½ ¼ ¾",
]

CONTRACTIONS = [
    "it's", "don't", "you're", "we've", "I'm", "they'll", "he'd", "IT'S", "DON'T", "YOU'RE", "WE'VE", "I'M",
    "THEY'LL", "HE'D", "cat's toy", "the cats' toys", "rock 'n' roll", "'tis", "o'clock", "y'all'd've",
    "ma'am", "'s'", "'sss", "'ll'll", "'dd", "can't won't shouldn't", "it’s (curly apostrophe)", "'re'", "'ve",
    "'m", "'d", "'t", "l'homme d'affaires", "it'ſ", "IT'ſ", "'S", "'Re", "x'LL", "a 's b", "'''s",
]

DIGITS = [
    "0", "7", "42", "123456789", "3.14159", "1,000,000", "2023-01-01", "12:30pm", "version 2.0.1",
    "4k 8K 1080p", "covid-19", "r2d2 c3po", "1st 2nd 3rd 4th", "007", "0x1f", "1e10", "-5", "+5",
    "٣ Arabic-Indic three", "४२ Devanagari", "Ⅻ roman twelve", "① circled", "²³ superscripts", "½",
    "１２３ fullwidth", "𝟘𝟙𝟚 double-struck", "一二三 CJK numerals",
]

UNICODE = [
    "café", "naïve résumé", "Crème brûlée", "CAFÉ", "Ångström", "façade", "smørrebrød", "Straße", "STRASSE",
    "Ελληνικά", "ΟΔΟΣ", "Σ", "ΑΣ", "ΑΣ Β", "ΑΣ.", "Σ'Σ", "ὈΔΥΣΣΕΎΣ", "İstanbul", "ıi", "ǅ ǈ ǋ", "ﬁ ﬂ",
    "Москва", "ПРИВЕТ мир", "עברית", "العربية", "हिन्दी", "ภาษาไทย", "한국어", "각", "日本語のテキスト",
    "ひらがな カタカナ ｶﾀｶﾅ", "中文文本", "汉字漢字", "𠀀𠀁 supplementary CJK", "😀", "😀😃😄", "👍🏽",
    "👨‍👩‍👧‍👦", "🇺🇸🇫🇷", "❤️", "☃", "♠♥♦♣", "→ ← ↑ ↓", "∑∫√∞", "ℕℤℚℝ", "µ", "Ω ohm", "K kelvin",
    "e\u0301 decomposed", "n\u0303 decomposed", "a\u0301", "\u0301 lone mark", "zero\u200bwidth", "soft\u00adhyphen",
    "bidi\u200ftext", "\ufeffbom", "nul\u0000char", "tab\tcontrol\u0007bell", "\ufffd replacement",
    "private \ue000 use", "\U0001e900 Adlam", "\U00010570 Vithkuqi (Unicode 14)", "\u2c2f Glagolitic (Unicode 14)",
    "\ua7c0 \ua7c1", "𝔣𝔯𝔞𝔨𝔱𝔲𝔯", "𝐁𝐎𝐋𝐃", "Ｆｕｌｌｗｉｄｔｈ", "ǰ", "ΐ", "ﬃ", "ᾈ", "ß", "ẞ",
]

HTML = [
    "&amp;", "&amp;amp;", "&amp;amp;amp;", "Tom &amp; Jerry", "&lt;b&gt;bold&lt;/b&gt;", "&quot;quoted&quot;",
    "&#39;single&#39;", "&#x27;hex&#x27;", "&#X41;", "&#65;&#66;&#67;", "&nbsp;non&nbsp;breaking&nbsp;",
    "caf&eacute;", "&copy; 2024", "&amp", "&ampx", "&notit;", "&notin;", "&not", "&AElig;", "&aelig",
    "&unknownentity;", "&;", "& ;", "&#;", "&#x;", "&#0;", "&#128;", "&#x80;", "&#x9f;", "&#xD800;",
    "&#1114112;", "&#99999999999999999999;", "&#x110000;", "&#1;", "&#xfdd0;", "&#x10FFFF;", "&#65", "&#x41z",
    "&hellip;", "&mdash;&ndash;", "&euro;100", "&frac12;", "&NotNestedGreaterGreater;", "&bne;", "&fjlig;",
    "&ThickSpace;x", "a&b", "a & b", "&&amp;&&", "&#38;amp;", "&amp;#65;", "&amp;#x41;", "&lt;|endoftext|&gt;",
    "&" + "a" * 40 + ";", "&Abreve;", "&abreve", "&lt", "&LT", "&LT;", "&gt;&gt;", "&#x1F600;", "&#128512;",
]

WHITESPACE = [
    "", " ", "   ", "\t", "\n", "\r\n", "  leading", "trailing  ", "  both  ", "many     spaces",
    "tabs\tand\nnewlines\r\nmixed", "\u00a0nbsp\u00a0", "\u3000ideographic\u3000space", "\u2003em\u2002en",
    "\u2028line\u2029para", "\x1cfile\x1dgroup\x1erecord\x1funit", "\x85next line", "\u180emongolian",
    "\u200bzero width", "\x0bvertical\x0cfeed", "\u202fnarrow\u205fmath", " \t \n ", "&nbsp;", "&#32;x&#32;",
    "a\u00a0\u00a0b", "\u1680ogham",
]

LONG = [
    "a " * 100,
    "a photo of " * 30,
    " ".join(CAPTIONS),
    "word " * 75 + "end",
    "word " * 74 + "end",
    "word " * 76 + "end",
    "x" * 500,
    "😀" * 60,
    "é" * 200,
    ". " * 80,
    "antidisestablishmentarianism " * 20,
    "<|endoftext|> " * 90,
]


def per_code_point_cases():
    """Code points of every class the tables hold, each between letters, so a wrong class shows."""
    picks = set()
    for cp in range(0, 0x3400, 17):
        picks.add(cp)
    for cp in range(0x3400, 0x30000, 997):
        picks.add(cp)
    for cp in list(range(0x10570, 0x105BD)) + list(range(0x2C00, 0x2C60)) + list(range(0x1E900, 0x1E960)):
        picks.add(cp)
    picks |= {0x3A3, 0x130, 0x131, 0x17F, 0x212A, 0x1E9E, 0xDF, 0x1C89, 0x1C8A, 0xA7C0, 0xA7D0, 0xA7D6, 0xA7D8}
    picks -= set(range(0xD800, 0xE000))  # lone surrogates cannot be encoded (Python raises, Java too)
    return ["x%sy %s" % (chr(cp), chr(cp)) for cp in sorted(picks)]


def ftfy_report(cases):
    """Prints the cases whose ids change when ftfy.fix_text runs first, as in open_clip (needs ftfy installed)."""
    import ftfy
    global basic_clean
    without = basic_clean

    def with_ftfy(text):
        return without(ftfy.fix_text(text))

    basic_clean = with_ftfy
    tok = SimpleTokenizer()
    changed = [c for c in cases if tok([c["text"]], c["context_length"])[0] != c["ids"]]
    basic_clean = without
    print("with ftfy %s: %d of %d cases get other ids" % (ftfy.__version__, len(changed), len(cases)))
    for c in changed:
        print("  %s: %r" % (c["group"], c["text"][:50]))


def main():
    with open(os.path.join(MAIN, "clip-unicode.txt"), "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(unicode_tables()) + "\n")
    with open(os.path.join(MAIN, "html5-entities.txt"), "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(html_tables()) + "\n")

    tok = SimpleTokenizer()
    groups = [
        ("caption", CAPTIONS, [77]),
        ("punctuation", PUNCTUATION, [77]),
        ("contraction", CONTRACTIONS, [77]),
        ("digits", DIGITS, [77]),
        ("unicode", UNICODE, [77]),
        ("html", HTML, [77]),
        ("whitespace", WHITESPACE, [77]),
        ("long", LONG, [77, 16, 5, 2, 1]),
        ("code point", per_code_point_cases(), [12]),
    ]
    cases = []
    for group, texts, lengths in groups:
        for text in texts:
            for context_length in lengths:
                ids = tok([text], context_length)[0]
                cases.append({"group": group, "text": text, "context_length": context_length, "ids": ids})
    # a few captions at small lengths too: truncation inside a word
    for text in CAPTIONS[:10]:
        for context_length in (4, 8):
            cases.append({"group": "short context", "text": text, "context_length": context_length,
                          "ids": tok([text], context_length)[0]})
    out = {
        "generator": "generate.py (open_clip SimpleTokenizer without ftfy; Python %s, regex %s)"
        % (sys.version.split()[0], re.__version__),
        "vocabulary": "bpe_simple_vocab_16e6.txt.gz",
        "sot": tok.sot_token_id,
        "eot": tok.eot_token_id,
        "vocab_size": len(tok.encoder),
        "cases": cases,
    }
    # one case a line, so that a regenerated file diffs readably
    cases_json = ",\n  ".join(json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in out.pop("cases"))
    head = json.dumps(out, ensure_ascii=True, indent=1)[:-2]
    with open(os.path.join(HERE, "goldens.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(head + ',\n "cases": [\n  ' + cases_json + "\n ]\n}\n")
    print("%d cases" % len(cases))
    if "--ftfy-report" in sys.argv:
        ftfy_report(cases)


if __name__ == "__main__":
    main()
