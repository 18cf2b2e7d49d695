// Cross-checks goldens.json with Hugging Face tokenizers: builds CLIPTokenizerFast's tokenizer.json (the layout of
// transformers' CLIPConverter: NFC + whitespace + lowercase normalizer, open_clip's pattern as a Split, ByteLevel,
// BPE with "</w>", RobertaProcessing) from the bundled merges file, encodes every golden text with the npm package
// `tokenizers` 0.23.2 (the Rust library), applies open_clip's cut-and-pad, and compares the ids. The two pipelines
// differ where the text needs HTML unescaping, NFC, str.isspace's extra whitespace or a final sigma, so this is an
// independent check of the vocabulary, merges and BPE rather than of the cleaning: the groups without such text
// (captions, contractions, digits, long texts, short contexts; ſ aside) must agree in full, or it exits with status 1.
//
//   mkdir -p /tmp/clip-gen && cp common/src/test/resources/text/package*.json /tmp/clip-gen/
//   (cd /tmp/clip-gen && npm ci && node "$OLDPWD/common/src/test/resources/clip-text/crosscheck_tokenizers.mjs")
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const require = createRequire(join(process.cwd(), 'resolve-from-cwd.js'));
const tk = require('tokenizers');
const here = dirname(fileURLToPath(import.meta.url));
const bpePath = join(here, '..', '..', '..', 'main', 'resources', 'io', 'distillery', 'text', 'bpe_simple_vocab_16e6.txt.gz');
const goldens = JSON.parse(readFileSync(join(here, 'goldens.json'), 'utf8'));

// open_clip's bytes_to_unicode and vocabulary order
const bs = [];
for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
for (let b = 0xae; b <= 0xff; b++) bs.push(b);
const cs = [...bs];
let n = 0;
for (let b = 0; b < 256; b++) {
  if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
}
const byteChars = cs.map((c) => String.fromCodePoint(c));
const merges = gunzipSync(readFileSync(bpePath)).toString('utf8').split('\n').slice(1, 49152 - 256 - 2 + 1);
const vocab = {};
let next = 0;
for (const c of byteChars) vocab[c] = next++;
for (const c of byteChars) vocab[c + '</w>'] = next++;
for (const m of merges) vocab[m.split(' ').join('')] = next++;
const SOT = next++;
const EOT = next++;
if (SOT !== goldens.sot || EOT !== goldens.eot) throw new Error(`special ids ${SOT}, ${EOT} differ from the goldens`);

const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [special(SOT, '<|startoftext|>'), special(EOT, '<|endoftext|>')],
  normalizer: {
    type: 'Sequence',
    normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
  },
  pre_tokenizer: {
    type: 'Sequence',
    pretokenizers: [
      {
        type: 'Split',
        pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
        behavior: 'Removed',
        invert: true,
      },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    ],
  },
  post_processor: {
    type: 'RobertaProcessing',
    sep: ['<|endoftext|>', EOT],
    cls: ['<|startoftext|>', SOT],
    trim_offsets: false,
    add_prefix_space: false,
  },
  decoder: null,
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: '<|endoftext|>',
    continuing_subword_prefix: '',
    end_of_word_suffix: '</w>',
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges,
  },
};
const tok = tk.Tokenizer.fromString(JSON.stringify(tokenizerJson));

const mustAgree = new Set(['caption', 'contraction', 'digits', 'long', 'short context']);
const agree = {};
const total = {};
const differing = [];
for (const c of goldens.cases) {
  const e = await tok.encode(c.text);
  let ids = [...e.getIds()];
  if (ids.length > c.context_length) {
    ids = ids.slice(0, c.context_length);
    ids[ids.length - 1] = EOT;
  }
  while (ids.length < c.context_length) ids.push(0);
  const same = ids.length === c.ids.length && ids.every((v, i) => v === c.ids[i]);
  total[c.group] = (total[c.group] || 0) + 1;
  if (same) agree[c.group] = (agree[c.group] || 0) + 1;
  else differing.push(c);
}
const version = require('tokenizers/package.json').version;
console.log(`tokenizers ${version}: ids agree with goldens.json for`);
for (const g of Object.keys(total)) console.log(`  ${g}: ${agree[g] || 0} of ${total[g]}`);
console.log('differing texts (other than single code points):');
for (const c of differing) {
  if (c.group !== 'code point') console.log(`  ${c.group}: ${JSON.stringify(c.text).slice(0, 60)}`);
}
console.log('differing code points: ' + differing
  .filter((c) => c.group === 'code point')
  .map((c) => 'U+' + [...c.text][1].codePointAt(0).toString(16).toUpperCase().padStart(4, '0'))
  .join(' '));
// open_clip's pattern is IGNORECASE, so ſ (U+017F) after an apostrophe is a contraction there; not in the library
const bad = differing.filter((c) => mustAgree.has(c.group) && !c.text.includes('\u017f'));
if (bad.length > 0) {
  console.error(`${bad.length} cases of ${[...mustAgree].join(', ')} differ`);
  process.exit(1);
}
