#!/usr/bin/python3
"""Reference outputs of a tiny random BERT for BertParityTest (run from this folder: /usr/bin/python3 generate.py).

Needs only PyTorch (Debian's python3-torch, 1.13) and numpy; Hugging Face transformers is NOT imported. The model
below is transformers' BertModel forward written out in plain PyTorch, following
src/transformers/models/bert/modeling_bert.py and src/transformers/masking_utils.py (transformers 4.5x / 5.x, the
"eager" attention implementation, which is what output_attentions=True runs):

- BertEmbeddings: inputs_embeds + token_type_embeddings, then + position_embeddings (position ids 0..T-1, absolute),
  then LayerNorm(eps); dropout is the identity at inference.
- BertSelfAttention + eager_attention_forward: q, k, v = three nn.Linear; view(B, T, H, hd).transpose(1, 2);
  scores = matmul(q, k^T) * hd**-0.5; + the extended mask; softmax(dim=-1); matmul with v; transpose back.
- The mask (masking_utils.eager_mask over padding_mask_function): a [B, 1, T, T] float tensor, 0.0 where the key's
  attention_mask is 1 and torch.finfo(float32).min where it is 0, the same for every query row. (transformers
  4.21-4.4x built the same numbers as (1 - mask) * finfo.min; before 4.21 it was (1 - mask) * -10000.0.)
- BertSelfOutput: LayerNorm(dense(context) + hidden); BertIntermediate: gelu(dense(x)), "gelu" = exact erf GELU;
  BertOutput: LayerNorm(dense(intermediate) + attention_output).
- BertPooler: tanh(dense(last_hidden_state[:, 0])).
- output_hidden_states: the embedding output, then each layer's output.

Writes (all little-endian, C order): config.json (Hugging Face BertConfig keys), weights.safetensors (written by
hand: 8-byte header length, JSON header padded with spaces to a multiple of 8, raw data; names as in
bert-base-uncased's checkpoint, with the "bert." prefix, plus two "cls." pre-training head tensors the encoder must
ignore), input_ids.npy / attention_mask.npy / token_type_ids.npy (int64 [B, T]), hidden_states_00..NN.npy (float32
[B, T, D]), pooled.npy ([B, D]), attentions_01.npy (layer 1's probabilities [B, H, T, T]) and report.json (how far
this float32 reference is from the same forward in float64). Every run writes the same bytes (fixed seed, one
thread).
"""

import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(17)

CONFIG = {
    "architectures": ["BertForPreTraining"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 32,
    "initializer_range": 0.02,
    "intermediate_size": 64,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 40,
    "model_type": "bert",
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "type_vocab_size": 2,
    "vocab_size": 120,
}
ATTENTION_LAYER = 1

D = CONFIG["hidden_size"]
L = CONFIG["num_hidden_layers"]
H = CONFIG["num_attention_heads"]
I = CONFIG["intermediate_size"]
EPS = CONFIG["layer_norm_eps"]


def randn(*shape, std=1.0, mean=0.0):
    return (torch.randn(*shape, dtype=torch.float64) * std + mean).to(torch.float32)


def linear(prefix, out_features, in_features, gain=1.0):
    # larger than BERT's init (std 0.02) so that attention is far from uniform and GELU sees both tails
    return {
        prefix + ".weight": randn(out_features, in_features, std=gain / in_features**0.5),
        prefix + ".bias": randn(out_features, std=0.2),
    }


def layer_norm(prefix):
    return {prefix + ".weight": randn(D, std=0.2, mean=1.0), prefix + ".bias": randn(D, std=0.2)}


def make_weights():
    w = {}
    w["bert.embeddings.word_embeddings.weight"] = randn(CONFIG["vocab_size"], D, std=0.8)
    w["bert.embeddings.position_embeddings.weight"] = randn(CONFIG["max_position_embeddings"], D, std=0.5)
    w["bert.embeddings.token_type_embeddings.weight"] = randn(CONFIG["type_vocab_size"], D, std=0.5)
    w.update(layer_norm("bert.embeddings.LayerNorm"))
    for n in range(L):
        p = f"bert.encoder.layer.{n}."
        w.update(linear(p + "attention.self.query", D, D, gain=1.8))
        w.update(linear(p + "attention.self.key", D, D, gain=1.8))
        w.update(linear(p + "attention.self.value", D, D))
        w.update(linear(p + "attention.output.dense", D, D))
        w.update(layer_norm(p + "attention.output.LayerNorm"))
        w.update(linear(p + "intermediate.dense", I, D, gain=2.0))
        w.update(linear(p + "output.dense", D, I))
        w.update(layer_norm(p + "output.LayerNorm"))
    w.update(linear("bert.pooler.dense", D, D))
    # pre-training heads of a BertForPreTraining checkpoint: not part of BertModel
    w["cls.predictions.bias"] = randn(CONFIG["vocab_size"], std=0.1)
    w["cls.seq_relationship.weight"] = randn(2, D, std=0.1)
    return w


def make_inputs():
    """Six rows of 12 tokens: [CLS]=2, [SEP]=3, [PAD]=0, words from 5..119."""
    t = 12
    g = torch.Generator().manual_seed(5)

    def words(n):
        return torch.randint(5, CONFIG["vocab_size"], (n,), generator=g).tolist()

    rows = [
        ([2] + words(4) + [3] + words(5) + [3], [0] * 6 + [1] * 6, [1] * 12),  # a pair, no padding
        ([2] + words(7) + [3] + [0] * 3, [0] * 12, [1] * 9 + [0] * 3),  # right padding
        ([2] + words(2) + [3] + [0] * 8, [0] * 12, [1] * 4 + [0] * 8),  # mostly padding
        ([2] + words(2) + [3] + words(2) + [3] + [0] * 5, [0] * 4 + [1] * 3 + [0] * 5, [1] * 7 + [0] * 5),  # pair
        ([0] * 3 + [2] + words(7) + [3], [0] * 12, [0] * 3 + [1] * 9),  # left padding (positions still 0..11)
        (words(12), [0] * 6 + [1] * 6, [0] * 12),  # no real token: eager attention is uniform over all keys
    ]
    for ids, types, mask in rows:
        assert len(ids) == len(types) == len(mask) == t
    ids = torch.tensor([r[0] for r in rows], dtype=torch.int64)
    types = torch.tensor([r[1] for r in rows], dtype=torch.int64)
    mask = torch.tensor([r[2] for r in rows], dtype=torch.int64)
    return ids, mask, types


def bert_forward(w, input_ids, attention_mask, token_type_ids, dtype):
    """BertModel(input_ids, attention_mask, token_type_ids, output_hidden_states=True, output_attentions=True)."""
    w = {k: v.to(dtype) for k, v in w.items()}
    p = "bert."
    b, t = input_ids.shape
    hd = D // H
    position_ids = torch.arange(t, dtype=torch.int64).unsqueeze(0)
    embeddings = F.embedding(input_ids, w[p + "embeddings.word_embeddings.weight"])
    embeddings = embeddings + F.embedding(token_type_ids, w[p + "embeddings.token_type_embeddings.weight"])
    embeddings = embeddings + F.embedding(position_ids, w[p + "embeddings.position_embeddings.weight"])
    x = F.layer_norm(embeddings, (D,), w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], EPS)

    # masking_utils: boolean [B, 1, T, T] (key kept where attention_mask is nonzero), then 0 / finfo(dtype).min
    keep = attention_mask.bool()[:, None, None, :].expand(b, 1, t, t)
    min_value = torch.finfo(dtype).min
    mask = torch.where(keep, torch.tensor(0.0, dtype=dtype), min_value)

    hidden_states = [x]
    attentions = []
    for n in range(L):
        q_ = f"{p}encoder.layer.{n}."

        def lin(name, v):
            return F.linear(v, w[q_ + name + ".weight"], w[q_ + name + ".bias"])

        def heads(v):
            return v.view(b, t, -1, hd).transpose(1, 2)

        query = heads(lin("attention.self.query", x))
        key = heads(lin("attention.self.key", x))
        value = heads(lin("attention.self.value", x))
        scores = torch.matmul(query, key.transpose(2, 3)) * hd**-0.5
        scores = scores + mask
        probs = F.softmax(scores, dim=-1)
        context = torch.matmul(probs, value).transpose(1, 2).contiguous().reshape(b, t, -1)
        attention_output = F.layer_norm(
            lin("attention.output.dense", context) + x,
            (D,),
            w[q_ + "attention.output.LayerNorm.weight"],
            w[q_ + "attention.output.LayerNorm.bias"],
            EPS,
        )
        intermediate = F.gelu(lin("intermediate.dense", attention_output))
        x = F.layer_norm(
            lin("output.dense", intermediate) + attention_output,
            (D,),
            w[q_ + "output.LayerNorm.weight"],
            w[q_ + "output.LayerNorm.bias"],
            EPS,
        )
        hidden_states.append(x)
        attentions.append(probs)
    pooled = torch.tanh(F.linear(x[:, 0], w[p + "pooler.dense.weight"], w[p + "pooler.dense.bias"]))
    return hidden_states, pooled, attentions


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    weights = make_weights()
    ids, mask, types = make_inputs()
    with torch.no_grad():
        hidden, pooled, attentions = bert_forward(weights, ids, mask, types, torch.float32)
        hidden64, pooled64, attentions64 = bert_forward(weights, ids, mask, types, torch.float64)

    with open(os.path.join(here, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(here, "weights.safetensors"), weights)
    np.save(os.path.join(here, "input_ids.npy"), ids.numpy().astype("<i8"))
    np.save(os.path.join(here, "attention_mask.npy"), mask.numpy().astype("<i8"))
    np.save(os.path.join(here, "token_type_ids.npy"), types.numpy().astype("<i8"))
    report = {"torch": torch.__version__, "float32_vs_float64_max_abs": {}}
    for n, (h, h64) in enumerate(zip(hidden, hidden64)):
        name = f"hidden_states_{n:02d}"
        np.save(os.path.join(here, name + ".npy"), h.numpy().astype("<f4"))
        report["float32_vs_float64_max_abs"][name] = float((h.double() - h64).abs().max())
    np.save(os.path.join(here, "pooled.npy"), pooled.numpy().astype("<f4"))
    report["float32_vs_float64_max_abs"]["pooled"] = float((pooled.double() - pooled64).abs().max())
    name = f"attentions_{ATTENTION_LAYER:02d}"
    np.save(os.path.join(here, name + ".npy"), attentions[ATTENTION_LAYER].numpy().astype("<f4"))
    report["float32_vs_float64_max_abs"][name] = float(
        (attentions[ATTENTION_LAYER].double() - attentions64[ATTENTION_LAYER]).abs().max()
    )
    report["max_abs_value"] = {f"hidden_states_{n:02d}": float(h.abs().max()) for n, h in enumerate(hidden)}
    masked = attentions[ATTENTION_LAYER][:5].masked_select(~mask[:5].bool()[:, None, None, :].expand(5, H, 12, 12))
    report["masked_key_probabilities_max"] = float(masked.max())
    with open(os.path.join(here, "report.json"), "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(report, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
