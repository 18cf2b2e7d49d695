// Writes the golden data for the WordPiece tokenizer tests (io.distillery.text) with the Hugging Face tokenizers
// library itself: the npm package `tokenizers` is the Rust crate behind Python's `tokenizers` and transformers'
// BertTokenizerFast, compiled to a Node addon, so these goldens are what users of those libraries get.
//
// Run it with the working directory in a scratch folder that holds the pinned package, so node_modules stays out of
// the tree (README.md):
//
//   mkdir -p /tmp/tok-gen && cp common/src/test/resources/text/package*.json /tmp/tok-gen/
//   (cd /tmp/tok-gen && npm ci && node "$OLDPWD/common/src/test/resources/text/generate_goldens.mjs")
//
// It reads vocab.txt (hand-written, committed) and writes, next to itself:
//   tokenizer-*.json       four tokenizer.json files, saved by the library itself (Tokenizer.save)
//   goldens.json           every case: text (and pair), max_length, and the expected ids, type ids, masks, tokens
//                          and offsets (UTF-16 code units into the case's own text, like Java's String indices)
//   unicode-classes.json.gz  for every code point: what the library's BERT normalizer and pre-tokenizer do with it
// and ../../../main/resources/io/distillery/text/bert-unicode-categories.txt, the category tables the Java code uses.
// Same input, same bytes on every run.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(join(process.cwd(), 'resolve-from-cwd.js'));
const tk = require('tokenizers');
const tkVersion = require('tokenizers/package.json').version;

const here = dirname(fileURLToPath(import.meta.url));
const vocabPath = join(here, 'vocab.txt');
const vocabLines = readFileSync(vocabPath, 'utf8').split('\n');
if (vocabLines[vocabLines.length - 1] === '') vocabLines.pop();
const idOf = (t) => {
  const i = vocabLines.indexOf(t);
  if (i < 0) throw new Error(`${t} not in vocab.txt`);
  return i;
};
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const CLS = idOf('[CLS]');
const SEP = idOf('[SEP]');
const PAD = idOf('[PAD]');

// transformers' BertTokenizerFast pipeline (convert_slow_tokenizer.BertConverter) from a vocab.txt
async function bertFromVocab({ lowercase, stripAccents, chinese = true, clean = true, maxChars = 100, processor }) {
  const model = await tk.WordPiece.fromFile(vocabPath, { unkToken: '[UNK]', maxInputCharsPerWord: maxChars });
  const tok = new tk.Tokenizer(model);
  const opts = { cleanText: clean, handleChineseChars: chinese, lowercase };
  if (stripAccents !== undefined) opts.stripAccents = stripAccents;
  tok.setNormalizer(tk.bertNormalizer(opts));
  tok.setPreTokenizer(tk.bertPreTokenizer());
  if (processor === 'template') {
    tok.setPostProcessor(
      tk.templateProcessing('[CLS]:0 $A:0 [SEP]:0', '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1', [
        ['[CLS]', CLS],
        ['[SEP]', SEP],
      ]),
    );
  } else if (processor === 'bert') {
    tok.setPostProcessor(tk.bertProcessing(['[SEP]', SEP], ['[CLS]', CLS]));
  }
  tok.setDecoder(tk.wordPieceDecoder('##', true));
  tok.addSpecialTokens(SPECIALS);
  return tok;
}

const variants = {
  // bert-base-uncased: lowercase, strip accents (strip_accents null follows lowercase), template post-processor
  uncased: await bertFromVocab({ lowercase: true, processor: 'template' }),
  // bert-base-cased, with the older BertProcessing post-processor
  cased: await bertFromVocab({ lowercase: false, processor: 'bert' }),
  // lowercase but keep accents, no CJK splitting, words over 12 characters are [UNK]
  'lower-keep-accents': await bertFromVocab({
    lowercase: true,
    stripAccents: false,
    chinese: false,
    maxChars: 12,
    processor: 'template',
  }),
  // no text cleaning, strip accents without lowercasing, no post-processor, and added tokens with every option
  raw: await bertFromVocab({ lowercase: false, stripAccents: true, clean: false, processor: null }),
};
variants.raw.addAddedTokens([
  new tk.AddedToken('[ENT]', false, { leftStrip: true, rightStrip: true, normalized: false }),
  new tk.AddedToken('Café!', false, { normalized: true }),
  new tk.AddedToken('ok', false, { singleWord: true, normalized: false }),
]);
for (const [name, tok] of Object.entries(variants)) tok.save(join(here, `tokenizer-${name}.json`), true);

// ---------------------------------------------------------------------------------------------------------------
const long100 = 'a'.repeat(100);
const long101 = 'a'.repeat(101);
const singles = [
  '',
  ' ',
  '   \t\n\r  ',
  '\u0000\u0001\u007f',
  'hello\u0000world',
  'a\ufffdb',
  'zero\u200bwidth',
  'soft\u00adhyphen',
  'a\u000bb a\u000cb a\u0085b',
  'a\u00a0b\u3000c\u2028d\u2003e',
  'Hello, World!',
  'hello,world!!',
  'HeLLo WoRLD',
  'The quick brown fox jumps over the lazy dog.',
  'café',
  'Café naïve Ångström',
  'CAFÉ',
  'cafe\u0301 x\u0000y \u0000z',
  'İstanbul',
  'ΣΟΦΙΑ σοφία',
  'ΟΣ ος', // Rust lowercases a final capital sigma to σ (no context), Java's String.toLowerCase to ς
  '\uf900\u8c48', // a CJK compatibility ideograph: NFD (strip_accents) turns it into U+8C48
  'straße STRASSE',
  'ﬁne',
  '中文字',
  '我们在日本',
  '中a文b字',
  '日本語のテキスト',
  '한국어',
  '𠀀\u{2B820}x\u{2B920}y', // U+2B820 starts the Python BasicTokenizer's range, not the library's
  '1999年',
  'I ❤️ 🤗!',
  '😀😀 hi😀',
  '👨\u200d👩\u200d👧 🇫🇷',
  long100,
  long101,
  `${long101} hello`,
  'supercalifragilisticexpialidocious',
  'supercalifragilisticexpialidocious'.repeat(3),
  '1234567890 3.14159 2,000,000',
  '##',
  '##ing hello##world #hashtag',
  'xyzzy qwx',
  'hello ꙮ world',
  'hello [MASK] world',
  '[CLS] a [SEP] [UNK] [mask] ab[MASK]abb',
  '¿Qué? «quoted» a—b–c …',
  '$100 + 5% = ~ e-mail don\'t C++ & C# <html>',
  'a\u00b7b a\u2e43b a\u{1e95e}b',
  'a\u0d3cb \u{110cd}x \u{13430}y',
  'Distillery tokenizes BERT\'s WordPiece vocab — 100% in Java!',
  'x [ENT] y  [ENT]z Café! cafe! ok okay ok.',
];
const pairs = [
  ['hello world', 'how are you?'],
  ['', 'b'],
  ['The quick brown fox', 'jumps over the lazy dog'],
  ['a b c d e f g h i j', 'k'],
  ['a', 'b c d e f g h i j k'],
  ['café 中文', 'Ångström!!'],
];
// not below the special tokens' count: the Java API refuses that, where the library silently skips truncation
const singleLengths = [null, 2, 3, 5, 16];
const pairLengths = [null, 3, 4, 7, 12, 24];

const utf16 = (text) => {
  // index of every code point's first UTF-16 unit, plus the end
  const out = [0];
  for (const ch of text) out.push(out[out.length - 1] + ch.length);
  return out;
};

async function encode(tok, text, pair, maxLength) {
  if (maxLength === null) {
    tok.disableTruncation();
    tok.disablePadding();
  } else {
    tok.setTruncation(maxLength, { strategy: 'LongestFirst' });
    tok.setPadding({ maxLength, padId: PAD, padToken: '[PAD]', padTypeId: 0 });
  }
  const e = await tok.encode(text, pair);
  const seq = e.getSequenceIds();
  const maps = [utf16(text), pair === null ? null : utf16(pair)];
  const offsets = e.getOffsets().map(([s, t], i) => {
    const m = maps[seq[i] ?? 0];
    return seq[i] === null || seq[i] === undefined ? [s, t] : [m[s], m[t]];
  });
  return {
    ids: e.getIds(),
    type_ids: e.getTypeIds(),
    attention_mask: e.getAttentionMask(),
    special_tokens_mask: e.getSpecialTokensMask(),
    tokens: e.getTokens(),
    offsets,
  };
}

const cases = [];
for (const [name, tok] of Object.entries(variants)) {
  for (const text of singles) {
    for (const maxLength of singleLengths) {
      cases.push({ tokenizer: name, text, pair: null, max_length: maxLength, ...(await encode(tok, text, null, maxLength)) });
    }
  }
  for (const [a, b] of pairs) {
    for (const maxLength of pairLengths) {
      cases.push({ tokenizer: name, text: a, pair: b, max_length: maxLength, ...(await encode(tok, a, b, maxLength)) });
    }
  }
}

// The Java API builds the same pipelines from vocab.txt alone: check that they agree with the saved files.
for (const [name, lowercase] of [
  ['uncased', true],
  ['cased', false],
]) {
  const fromVocab = await bertFromVocab({ lowercase, processor: 'template' });
  for (const c of cases.filter((c) => c.tokenizer === name)) {
    const e = await encode(fromVocab, c.text, c.pair, c.max_length);
    if (JSON.stringify(e.ids) !== JSON.stringify(c.ids)) throw new Error(`vocab-built ${name} differs on ${c.text}`);
  }
}

const golden = {
  generator: `generate_goldens.mjs with the npm package tokenizers ${tkVersion} (Hugging Face tokenizers, Rust)`,
  vocab: 'vocab.txt',
  tokenizers: Object.fromEntries(Object.keys(variants).map((n) => [n, `tokenizer-${n}.json`])),
  from_vocab: { uncased: true, cased: false },
  cases,
};
// one case per line: readable diffs when the library changes its mind
const { cases: allCases, ...head } = golden;
const headJson = JSON.stringify(head, null, 1).replace(/\n}$/, '');
writeFileSync(join(here, 'goldens.json'), `${headJson},\n "cases": [\n${allCases.map((c) => JSON.stringify(c)).join(',\n')}\n ]\n}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Every code point through each step on its own. The library takes its general categories from an old table (the
// unicode_categories crate), its lowercase from Rust's std and its NFD from unicode-normalization-alignments, so
// the JDK's Character.getType disagrees on a few hundred code points: the Java code uses tables made here.
const clean = tk.bertNormalizer({ cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false });
const chinese = tk.bertNormalizer({ cleanText: false, handleChineseChars: true, stripAccents: false, lowercase: false });
const strip = tk.bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false });
const lower = tk.bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true });
const pre = tk.bertPreTokenizer();
const sets = { clean_removes: [], clean_to_space: [], chinese: [], punctuation: [], whitespace: [], strip_removes: [] };
const stripMap = {};
const lowerMap = {};
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue; // not representable in a Rust string
  const c = String.fromCodePoint(cp);
  const cl = clean.normalizeString(c);
  if (cl === '') sets.clean_removes.push(cp);
  else if (cl === ' ' && c !== ' ') sets.clean_to_space.push(cp);
  else if (cl !== c) throw new Error(`clean_text maps ${cp} to ${cl}`);
  if (chinese.normalizeString(c) !== c) sets.chinese.push(cp);
  const s = strip.normalizeString(c);
  if (s === '') sets.strip_removes.push(cp);
  else if (s !== c) stripMap[cp] = [...s].map((x) => x.codePointAt(0));
  const l = lower.normalizeString(c);
  if (l !== c) lowerMap[cp] = [...l].map((x) => x.codePointAt(0));
  const p = pre.preTokenizeString(`a${c}a`).length;
  if (p === 3) sets.punctuation.push(cp);
  else if (p === 2) sets.whitespace.push(cp);
  else if (p !== 1) throw new Error(`pre-tokenizer splits a${c}a into ${p}`);
}
const ranges = (list) => {
  const r = [];
  for (const x of list) {
    if (r.length && r[r.length - 1][1] === x - 1) r[r.length - 1][1] = x;
    else r.push([x, x]);
  }
  return r;
};
const unicode = { generator: golden.generator };
for (const [k, v] of Object.entries(sets)) unicode[k] = ranges(v);
unicode.strip_accents = stripMap;
unicode.lowercase = lowerMap;
writeFileSync(join(here, 'unicode-classes.json.gz'), gzipSync(JSON.stringify(unicode), { level: 9 }));

// The tables for the Java code: the categories only (the JDK does NFD, lowercasing and the fixed sets itself).
// strip_removes is the library's Mn table restricted to code points NFD leaves alone plus those that decompose
// into marks only, so it is applied after NFD.
const fmt = (rs) =>
  rs
    .map(([a, b]) => (a === b ? a.toString(16) : `${a.toString(16)}-${b.toString(16)}`))
    .join(' ')
    .replace(/(.{1,110})( |$)/g, '$1\n');
const table = [
  `# Unicode general categories as the Hugging Face tokenizers library (npm tokenizers ${tkVersion}) sees them in`,
  '# its BERT normalizer and pre-tokenizer. Written by src/test/resources/text/generate_goldens.mjs; do not edit.',
  '# Hexadecimal code points and ranges; a section runs until the next [name] line.',
  '[control]   # removed by clean_text (Cc, Cf, Co except tab, newline, carriage return; plus U+0000, U+FFFD)',
  fmt(unicode.clean_removes).trimEnd(),
  '[punctuation]   # split off as single tokens (ASCII punctuation and the P* categories)',
  fmt(unicode.punctuation).trimEnd(),
  '[nonspacing_mark]   # removed after NFD by strip_accents (Mn)',
  fmt(unicode.strip_removes).trimEnd(),
  '',
].join('\n');
writeFileSync(join(here, '../../../main/resources/io/distillery/text/bert-unicode-categories.txt'), table);
console.log(`${cases.length} cases, tokenizers ${tkVersion}`);
