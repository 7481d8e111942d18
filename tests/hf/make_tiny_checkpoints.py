#!/usr/bin/env python3
"""Tiny random checkpoints in Hugging Face layout, with reference logits.

Writes, under OUT, folders that transformers would load as LlamaForCausalLM / Qwen2ForCausalLM:
config.json and model.safetensors (or shards with model.safetensors.index.json), and beside the
weights reference.safetensors: the input ids ("input_ids", int64 stored as F32 values) and the
logits ("logits", F32) of a PyTorch forward pass written to follow Hugging Face's modelling code
(modeling_llama.py / modeling_qwen2.py: RMSNorm in float32, rotate-half RoPE, repeat_kv, eager
causal attention with softmax in float32, SwiGLU MLP, tied or untied head).

  llama          f32, untied head, grouped-query attention (4 heads, 2 KV heads)
  llama-sharded  the same weights in three shards with an index
  llama3-rope    Llama 3.1's rope_scaling (rope_type llama3), original context 16 so that all three
                 frequency bands (kept, interpolated, divided) occur
  qwen2          f32, tied embeddings, q/k/v biases, rope_theta 1e6
  qwen2-bf16     qwen2's weights in BF16; its reference uses those rounded weights
  qwen2-151k     Qwen2.5's vocabulary (151,936), hidden size 16: a whole Hugging Face folder when
                 --tokenizer DIR copies tokenizer.json (and tokenizer_config.json) into it

Needs only Debian's python3-torch (no transformers, no safetensors package):
  /usr/bin/python3 tests/hf/make_tiny_checkpoints.py OUT [--tokenizer DIR]
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import torch

# --------------------------------------------------------------------------- safetensors


def to_bytes(t, dtype):
    t = t.detach().contiguous()
    if dtype == "F32":
        return t.to(torch.float32).numpy().tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype="F32"):
    """tensors: list of (name, tensor); little-endian, header padded to 8 bytes."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors:
        data = to_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


# --------------------------------------------------------------------------- reference forward
# Follows transformers' modeling_llama.py / modeling_qwen2.py, eager attention path.


def rms_norm(x, weight, eps):
    dtype = x.dtype
    h = x.to(torch.float32)
    variance = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + eps)
    return weight * h.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(cfg, seq_len):
    dim = cfg["hidden_size"] // cfg["num_attention_heads"]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    scaling = cfg.get("rope_scaling")
    if scaling:
        inv_freq = llama3_inv_freq(inv_freq, scaling)
    position_ids = torch.arange(seq_len).float()
    freqs = torch.outer(position_ids, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def llama3_inv_freq(inv_freq, s):
    """transformers' _compute_llama3_parameters."""
    factor, low, high, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
    low_freq_wavelen, high_freq_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return torch.where(medium, smoothed, scaled)


def repeat_kv(x, n_rep):
    b, kv, t, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


def linear(x, w, b=None):
    return torch.nn.functional.linear(x, w, b)


def forward(cfg, w, input_ids):
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hidden = cfg["hidden_size"]
    head_dim = hidden // heads
    eps = cfg["rms_norm_eps"]
    bsz, t = input_ids.shape
    x = w["model.embed_tokens.weight"][input_ids]
    cos, sin = rope_cos_sin(cfg, t)
    cos, sin = cos[None, None], sin[None, None]
    mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        residual = x
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, w[p + "self_attn.q_proj.weight"], w.get(p + "self_attn.q_proj.bias"))
        k = linear(h, w[p + "self_attn.k_proj.weight"], w.get(p + "self_attn.k_proj.bias"))
        v = linear(h, w[p + "self_attn.v_proj.weight"], w.get(p + "self_attn.v_proj.bias"))
        q = q.view(bsz, t, heads, head_dim).transpose(1, 2)
        k = k.view(bsz, t, kv_heads, head_dim).transpose(1, 2)
        v = v.view(bsz, t, kv_heads, head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, heads // kv_heads), repeat_kv(v, heads // kv_heads)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(head_dim) + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        attn = torch.matmul(probs, v).transpose(1, 2).reshape(bsz, t, hidden)
        x = residual + linear(attn, w[p + "self_attn.o_proj.weight"])
        residual = x
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(h, w[p + "mlp.gate_proj.weight"])
        up = linear(h, w[p + "mlp.up_proj.weight"])
        x = residual + linear(torch.nn.functional.silu(gate) * up, w[p + "mlp.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return linear(x, head).float()


# --------------------------------------------------------------------------- models


def config(model_type, vocab, hidden, layers, heads, kv_heads, intermediate, theta, eps, tied, dtype="float32"):
    cfg = {
        "architectures": ["LlamaForCausalLM" if model_type == "llama" else "Qwen2ForCausalLM"],
        "model_type": model_type,
        "vocab_size": vocab,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "intermediate_size": intermediate,
        "max_position_embeddings": 64,
        "rope_theta": theta,
        "rms_norm_eps": eps,
        "tie_word_embeddings": tied,
        "hidden_act": "silu",
        "initializer_range": 0.02,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": dtype,
        "use_cache": True,
    }
    if model_type == "llama":
        cfg.update({"attention_bias": False, "mlp_bias": False, "rope_scaling": None, "pretraining_tp": 1})
    else:
        cfg.update({"use_sliding_window": False, "sliding_window": 4096, "max_window_layers": 2, "rope_scaling": None})
    return cfg


def random_weights(cfg, gen):
    """Names in the order transformers' state_dict lists them; scales large enough to matter."""
    h, kv = cfg["hidden_size"], cfg["num_key_value_heads"] * (cfg["hidden_size"] // cfg["num_attention_heads"])
    inter, vocab = cfg["intermediate_size"], cfg["vocab_size"]
    bias = cfg["model_type"] == "qwen2"

    def normal(*shape, std):
        return torch.randn(*shape, generator=gen) * std

    w = {"model.embed_tokens.weight": normal(vocab, h, std=0.5)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = normal(h, h, std=h ** -0.5)
        if bias:
            w[p + "self_attn.q_proj.bias"] = normal(h, std=0.1)
        w[p + "self_attn.k_proj.weight"] = normal(kv, h, std=h ** -0.5)
        if bias:
            w[p + "self_attn.k_proj.bias"] = normal(kv, std=0.1)
        w[p + "self_attn.v_proj.weight"] = normal(kv, h, std=h ** -0.5)
        if bias:
            w[p + "self_attn.v_proj.bias"] = normal(kv, std=0.1)
        w[p + "self_attn.o_proj.weight"] = normal(h, h, std=h ** -0.5)
        w[p + "mlp.gate_proj.weight"] = normal(inter, h, std=h ** -0.5)
        w[p + "mlp.up_proj.weight"] = normal(inter, h, std=h ** -0.5)
        w[p + "mlp.down_proj.weight"] = normal(h, inter, std=inter ** -0.5)
        w[p + "input_layernorm.weight"] = 1 + normal(h, std=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + normal(h, std=0.1)
    w["model.norm.weight"] = 1 + normal(h, std=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = normal(vocab, h, std=h ** -0.5)
    return w


def write_folder(out, name, cfg, weights, input_ids, dtype="F32", shards=1):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    if dtype == "BF16":
        # The reference sees exactly the weights the file holds.
        weights = {k: v.to(torch.bfloat16).to(torch.float32) for k, v in weights.items()}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    items = list(weights.items())
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), items, dtype)
    else:
        per = math.ceil(len(items) / shards)
        weight_map, total = {}, 0
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = items[s * per:(s + 1) * per]
            write_safetensors(os.path.join(folder, file), part, dtype)
            for k, v in part:
                weight_map[k] = file
                total += v.numel() * (4 if dtype == "F32" else 2)
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    with torch.no_grad():
        logits = forward(cfg, weights, input_ids)
    write_safetensors(os.path.join(folder, "reference.safetensors"),
                      [("input_ids", input_ids.to(torch.float32)), ("logits", logits)], "F32")
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--tokenizer", help="folder whose tokenizer.json (and tokenizer_config.json) qwen2-151k gets")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(args.seed)

    llama = config("llama", 256, 64, 2, 4, 2, 96, 10000.0, 1e-5, False)
    w = random_weights(llama, gen)
    ids = torch.randint(0, 256, (2, 12), generator=gen)
    write_folder(args.out, "llama", llama, w, ids)
    write_folder(args.out, "llama-sharded", llama, w, ids, shards=3)

    llama3 = config("llama", 256, 64, 2, 4, 2, 96, 500000.0, 1e-5, False)
    llama3["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 16}
    write_folder(args.out, "llama3-rope", llama3, w, ids)

    qwen2 = config("qwen2", 256, 64, 2, 4, 2, 128, 1000000.0, 1e-6, True)
    w = random_weights(qwen2, gen)
    ids = torch.randint(0, 256, (2, 12), generator=gen)
    write_folder(args.out, "qwen2", qwen2, w, ids)
    write_folder(args.out, "qwen2-bf16", dict(qwen2, torch_dtype="bfloat16"), w, ids, dtype="BF16")

    big = config("qwen2", 151936, 16, 1, 2, 1, 32, 1000000.0, 1e-6, True, dtype="bfloat16")
    big.update({"bos_token_id": 151643, "eos_token_id": 151643})
    w = random_weights(big, gen)
    ids = torch.randint(0, 151936, (1, 8), generator=gen)
    folder = write_folder(args.out, "qwen2-151k", big, w, ids, dtype="BF16")
    if args.tokenizer:
        for name in ("tokenizer.json", "tokenizer_config.json"):
            source = os.path.join(args.tokenizer, name)
            if os.path.exists(source):
                shutil.copy(source, os.path.join(folder, name))
    print(f"wrote 6 checkpoints under {args.out}")


if __name__ == "__main__":
    sys.exit(main())
