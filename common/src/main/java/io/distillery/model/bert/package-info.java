/**
 * The BERT text encoder (the text teacher): Hugging Face's {@code BertModel} at inference on the native kernels.
 * {@link io.distillery.model.bert.BertConfig} holds the sizes (presets, or a Hugging Face {@code config.json}),
 * {@link io.distillery.model.bert.BertEncoder#load} reads a safetensors checkpoint in transformers' names, and
 * {@link io.distillery.model.bert.BertEncoder#forward} turns token ids, attention mask and token type ids (from
 * {@link io.distillery.text.WordPieceTokenizer}) into every layer's hidden states, the pooled output and chosen
 * layers' attention probabilities ({@link io.distillery.model.bert.BertOutputs}). See docs/text.md.
 */
package io.distillery.model.bert;
