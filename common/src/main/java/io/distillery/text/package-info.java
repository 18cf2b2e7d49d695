/**
 * Text input for BERT-style teachers: {@link io.distillery.text.WordPieceTokenizer} turns text into the token ids,
 * token type ids and attention mask a BERT model takes, token for token as Hugging Face tokenizers (and so
 * transformers' BertTokenizerFast) do. It loads a plain {@code vocab.txt} or a {@code tokenizer.json}; anything in a
 * tokenizer.json it cannot reproduce exactly is refused with a {@link io.distillery.text.TokenizerFormatException}
 * naming the file.
 *
 * <p>The pipeline: added tokens ([MASK] and the like) are cut out of the raw text; {@code BertNormalizer} cleans,
 * isolates CJK ideographs, strips accents and lowercases, tracking where each character came from;
 * {@code BertPreTokenizer} splits at whitespace and punctuation; {@code WordPieceModel} splits words greedily
 * longest-first into vocabulary pieces; a {@code Template} adds [CLS] and [SEP]. The character classes come from the
 * library itself ({@code bert-unicode-categories.txt}), because its Unicode tables differ from the JDK's. Golden
 * tests compare every step with the library: see docs/text.md.
 *
 * <p>For CLIP teachers, {@link io.distillery.text.ClipTokenizer} gives open_clip's {@code tokenize()} ids: {@code
 * ClipTextCleaner} unescapes HTML ({@code HtmlUnescape}), normalizes whitespace and lowercases as Python does;
 * {@code ClipPreTokenizer} splits with open_clip's pattern; {@code ByteLevel} and {@code ClipBpe} byte-pair encode
 * each piece with the merges that {@code MergesFile} reads (OpenAI's are bundled). Python's character classes come
 * from {@code clip-unicode.txt} ({@code ClipChars}).
 */
package io.distillery.text;
