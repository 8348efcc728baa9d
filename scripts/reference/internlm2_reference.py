#!/usr/bin/python3
"""Independent PyTorch InternLM2 used as the oracle for @puyu/model's TS forward.

Written from the semantics of HF `modeling_internlm2.py` (packed per-KV-group wqkv,
rotate-half RoPE with linear / dynamic-NTK scaling, RMSNorm, SwiGLU, GQA, causal mask)
without importing transformers. It builds small random models, writes each as an HF
folder (config.json + model.safetensors written byte by byte) and the logits of a fixed
token sequence, so the TS tests can compare without Python.

Run:  /usr/bin/python3 scripts/reference/internlm2_reference.py packages/model/src/fixtures
"""
import json
import math
import os
import struct
import sys

import torch

torch.set_num_threads(1)


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def inv_freq_for(cfg, head_dim, seq_len):
    base = float(cfg["rope_theta"])
    scaling = cfg.get("rope_scaling")
    # Dynamic NTK: the base grows only once the sequence outruns the trained context.
    if scaling and scaling["type"] == "dynamic" and seq_len > cfg["max_position_embeddings"]:
        f = scaling["factor"]
        base = base * ((f * seq_len / cfg["max_position_embeddings"]) - (f - 1)) ** (head_dim / (head_dim - 2))
    return 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))


def rope_cos_sin(cfg, head_dim, positions):
    seq_len = int(positions.max()) + 1
    inv = inv_freq_for(cfg, head_dim, seq_len)
    pos = positions.float()
    scaling = cfg.get("rope_scaling")
    if scaling and scaling["type"] == "linear":
        pos = pos / scaling["factor"]
    freqs = torch.outer(pos, inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def forward(cfg, w, tokens):
    h = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg["num_key_value_heads"]
    hd = h // nh
    qpk = nh // nkv
    eps = cfg["rms_norm_eps"]
    T = len(tokens)
    x = w["model.tok_embeddings.weight"][torch.tensor(tokens)]
    cos, sin = rope_cos_sin(cfg, hd, torch.arange(T))
    mask = torch.full((T, T), float("-inf")).triu(1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "attention_norm.weight"], eps)
        qkv = (a @ w[p + "attention.wqkv.weight"].T).view(T, nkv, qpk + 2, hd)
        q = qkv[:, :, :qpk, :].reshape(T, nh, hd).transpose(0, 1)  # head index = g*qpk + j
        k = qkv[:, :, -2, :].transpose(0, 1)
        v = qkv[:, :, -1, :].transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(qpk, dim=0)  # same pairing as HF repeat_kv
        v = v.repeat_interleave(qpk, dim=0)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + mask, dim=-1)
        o = (att @ v).transpose(0, 1).reshape(T, h)
        x = x + o @ w[p + "attention.wo.weight"].T
        f = rms_norm(x, w[p + "ffn_norm.weight"], eps)
        g = torch.nn.functional.silu(f @ w[p + "feed_forward.w1.weight"].T) * (f @ w[p + "feed_forward.w3.weight"].T)
        x = x + g @ w[p + "feed_forward.w2.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.tok_embeddings.weight"] if cfg.get("tie_word_embeddings") else w["output.weight"]
    return x @ head.T


def forward_incremental(cfg, w, tokens):
    """Token-by-token decoding with a KV cache, as HF generate() runs it: every step
    rotates only its own q/k, with the RoPE base of *that* step (for dynamic NTK the base
    follows the current length, and cached keys keep the rotation they were given)."""
    h = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg["num_key_value_heads"]
    hd = h // nh
    qpk = nh // nkv
    eps = cfg["rms_norm_eps"]
    L = cfg["num_hidden_layers"]
    ks = [torch.zeros(nkv, 0, hd) for _ in range(L)]
    vs = [torch.zeros(nkv, 0, hd) for _ in range(L)]
    out = []
    for t, tok in enumerate(tokens):
        x = w["model.tok_embeddings.weight"][torch.tensor([tok])]
        cos, sin = rope_cos_sin(cfg, hd, torch.tensor([t]))
        for i in range(L):
            p = f"model.layers.{i}."
            a = rms_norm(x, w[p + "attention_norm.weight"], eps)
            qkv = (a @ w[p + "attention.wqkv.weight"].T).view(1, nkv, qpk + 2, hd)
            q = qkv[:, :, :qpk, :].reshape(1, nh, hd).transpose(0, 1)
            k = qkv[:, :, -2, :].transpose(0, 1)
            v = qkv[:, :, -1, :].transpose(0, 1)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            ks[i] = torch.cat((ks[i], k), dim=1)
            vs[i] = torch.cat((vs[i], v), dim=1)
            kk = ks[i].repeat_interleave(qpk, dim=0)
            vv = vs[i].repeat_interleave(qpk, dim=0)
            att = torch.softmax(q @ kk.transpose(1, 2) / math.sqrt(hd), dim=-1)
            o = (att @ vv).transpose(0, 1).reshape(1, h)
            x = x + o @ w[p + "attention.wo.weight"].T
            f = rms_norm(x, w[p + "ffn_norm.weight"], eps)
            g = torch.nn.functional.silu(f @ w[p + "feed_forward.w1.weight"].T) * (f @ w[p + "feed_forward.w3.weight"].T)
            x = x + g @ w[p + "feed_forward.w2.weight"].T
        x = rms_norm(x, w["model.norm.weight"], eps)
        head = w["model.tok_embeddings.weight"] if cfg.get("tie_word_embeddings") else w["output.weight"]
        out.append(x @ head.T)
    return torch.cat(out, dim=0)


def random_weights(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    h, v, ff = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    hd = h // cfg["num_attention_heads"]
    qkv_rows = (cfg["num_attention_heads"] + 2 * cfg["num_key_value_heads"]) * hd

    def mat(rows, cols, std):
        return torch.randn(rows, cols, generator=g) * std

    def norm():
        return 1.0 + 0.1 * torch.randn(h, generator=g)

    w = {"model.tok_embeddings.weight": mat(v, h, 1.0)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "attention.wqkv.weight"] = mat(qkv_rows, h, 1.0 / math.sqrt(h))
        w[p + "attention.wo.weight"] = mat(h, h, 1.0 / math.sqrt(h))
        w[p + "feed_forward.w1.weight"] = mat(ff, h, 1.0 / math.sqrt(h))
        w[p + "feed_forward.w3.weight"] = mat(ff, h, 1.0 / math.sqrt(h))
        w[p + "feed_forward.w2.weight"] = mat(h, ff, 1.0 / math.sqrt(ff))
        w[p + "attention_norm.weight"] = norm()
        w[p + "ffn_norm.weight"] = norm()
    w["model.norm.weight"] = norm()
    if not cfg.get("tie_word_embeddings"):
        w["output.weight"] = mat(v, h, 1.0 / math.sqrt(h))
    return w


def write_safetensors(path, tensors):
    """Safetensors by hand: u64 LE header length, JSON header (space-padded to 8), raw LE data."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


BASE = {
    "architectures": ["InternLM2ForCausalLM"],
    "model_type": "internlm2",
    "bias": False,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-5,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 2,
}

MODELS = {
    # GQA, 2 layers, sequence inside the trained context.
    "tiny-gqa": dict(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, rope_scaling=None),
    # Dynamic NTK: the 24-token sequence is past max_position_embeddings=16, so the base is rescaled.
    "tiny-dynamic": dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=16,
                         rope_theta=10000.0, rope_scaling={"type": "dynamic", "factor": 2.0}),
    # Linear scaling, positions divided by 4; also past the trained context.
    "tiny-linear": dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                        num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=16,
                        rope_theta=10000.0, rope_scaling={"type": "linear", "factor": 4.0}),
}

TOKENS = [1, 17, 42, 99, 3, 127, 64, 5, 8, 13, 21, 34, 55, 89, 2, 0, 77, 120, 11, 45, 46, 47, 100, 6]


def main(out_dir):
    for seed, (name, extra) in enumerate(MODELS.items()):
        cfg = {**BASE, **extra}
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        w = random_weights(cfg, 1234 + seed)
        with torch.no_grad():
            logits = forward(cfg, w, TOKENS)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), w)
        with open(os.path.join(d, "logits.bin"), "wb") as f:
            f.write(logits.contiguous().numpy().astype("<f4").tobytes())
        if extra.get("rope_scaling") and extra["rope_scaling"]["type"] == "dynamic":
            with torch.no_grad():
                inc = forward_incremental(cfg, w, TOKENS)
            with open(os.path.join(d, "logits_incremental.bin"), "wb") as f:
                f.write(inc.contiguous().numpy().astype("<f4").tobytes())
            print(name, "incremental vs full max diff", float((inc - logits).abs().max()))
        with open(os.path.join(d, "logits.json"), "w") as f:
            json.dump({"tokens": TOKENS, "shape": list(logits.shape), "dtype": "f32le", "file": "logits.bin",
                       "torch": torch.__version__}, f, indent=2)
        print(name, tuple(logits.shape), float(logits.abs().max()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "packages/model/src/fixtures")
