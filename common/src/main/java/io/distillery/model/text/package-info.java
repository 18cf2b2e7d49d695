/**
 * A trainable BERT-style text encoder as a DL4J ComputationGraph on the native kernels: embeddings, post-norm
 * layers with transformers' padding mask, a masked-language-model head and loss, and Hugging Face weights in and
 * out. The inference-only teacher is {@link io.distillery.model.bert.BertEncoder}.
 */
package io.distillery.model.text;
