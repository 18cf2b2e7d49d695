// The WordNet corpus's lower-cased WordPiece vocabulary: node make_vocab.js [corpus/train.txt] [out/vocab.txt] [size]
// Trains Hugging Face tokenizers' WordPiece trainer (npm tokenizers, its default trainer settings; the node binding
// exposes no trainer options) on the training split's texts (label column dropped) with BERT's normaliser
// (lower-case, accents stripped) and pre-tokeniser, then keeps the first size - 5 tokens in id order (alphabet,
// then merges in the order learnt) after BERT's special tokens [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4).
const fs = require("fs");
const os = require("os");
const path = require("path");
const { Tokenizer, WordPiece, bertNormalizer, bertPreTokenizer } = require("tokenizers");

const corpus = process.argv[2] || "work/wordnet/train.txt";
const out = process.argv[3] || "data/wordnet/vocab.txt";
const size = parseInt(process.argv[4] || "8000", 10);
const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

const texts = fs.readFileSync(corpus, "utf8").split("\n").filter((l) => l.length > 0)
  .map((l) => (l.includes("\t") ? l.slice(l.indexOf("\t") + 1) : l));
const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vocab-")), "texts.txt");
fs.writeFileSync(tmp, texts.join("\n") + "\n");

const tokenizer = new Tokenizer(WordPiece.empty());
tokenizer.setNormalizer(bertNormalizer({ lowercase: true, stripAccents: true, cleanText: true, handleChineseChars: true }));
tokenizer.setPreTokenizer(bertPreTokenizer());
tokenizer.train([tmp]);
const learnt = Object.entries(tokenizer.getVocab(false)).sort((a, b) => a[1] - b[1]).map((e) => e[0])
  .filter((t) => !SPECIAL.includes(t));
const vocab = SPECIAL.concat(learnt.slice(0, size - SPECIAL.length));
fs.writeFileSync(out, vocab.join("\n") + "\n");
fs.rmSync(path.dirname(tmp), { recursive: true });
console.log(`${out}: ${vocab.length} tokens (of ${learnt.length} learnt) from ${texts.length} texts of ${corpus}`);
