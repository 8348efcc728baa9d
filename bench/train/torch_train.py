#!/usr/bin/python3
"""PyTorch CPU fp32 peer of bench/train: the same InternLM2, weights, tokens and optimizer.

Batched InternLM2 forward (packed per-KV-group wqkv, rotate-half RoPE, RMSNorm, SwiGLU, GQA,
causal mask) written like scripts/reference/internlm2_reference.py but over [B, T];
mean cross-entropy, clip_grad_norm_, AdamW with weight decay on matrices only (as pretrain).
One thread, or [threads] (intra-op, and OpenBLAS's through the environment run.ts sets).
Prints one JSON line: {"peer", "stepMs", "tokensPerStep", "losses"}.

Run:  /usr/bin/python3 bench/train/torch_train.py <hfDir> <tokens.bin> <steps> <B> <T> <optim-json> [threads]
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch

THREADS = int(sys.argv[7]) if len(sys.argv) > 7 else 1
torch.set_num_threads(THREADS)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        raw = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"{name}: only F32 weights are supported, got {meta['dtype']}")
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[a:b], dtype="<f4").copy()).reshape(meta["shape"])
    return out


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def forward(cfg, w, tokens, cos, sin, mask):
    B, T = tokens.shape
    h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps = h // nh, cfg["rms_norm_eps"]
    qpk = nh // nkv
    x = w["model.tok_embeddings.weight"][tokens]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "attention_norm.weight"], eps)
        qkv = (a @ w[p + "attention.wqkv.weight"].T).view(B, T, nkv, qpk + 2, hd)
        q = qkv[:, :, :, :qpk, :].reshape(B, T, nh, hd).transpose(1, 2)
        k = qkv[:, :, :, -2, :].transpose(1, 2)
        v = qkv[:, :, :, -1, :].transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(qpk, dim=1)
        v = v.repeat_interleave(qpk, dim=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, h)
        x = x + o @ w[p + "attention.wo.weight"].T
        f = rms_norm(x, w[p + "ffn_norm.weight"], eps)
        g = torch.nn.functional.silu(f @ w[p + "feed_forward.w1.weight"].T) * (f @ w[p + "feed_forward.w3.weight"].T)
        x = x + g @ w[p + "feed_forward.w2.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    return x @ w["output.weight"].T


def main():
    hf_dir, tokens_path, steps, B, T, optim = sys.argv[1:7]
    steps, B, T, optim = int(steps), int(B), int(T), json.loads(optim)
    with open(f"{hf_dir}/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(f"{hf_dir}/model.safetensors")
    stream = np.fromfile(tokens_path, dtype="<i4")
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.outer(torch.arange(T).float(), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((T, T), float("-inf")).triu(1)
    for t in w.values():
        t.requires_grad_(True)
    decay = [t for t in w.values() if t.dim() > 1]
    no_decay = [t for t in w.values() if t.dim() == 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": optim["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=optim["lr"], betas=(optim["beta1"], optim["beta2"]), eps=optim["eps"])
    step_ms, losses = [], []
    span = len(stream) - T - 1
    for s in range(steps):
        starts = [((s * B + b) * T) % span for b in range(B)]
        seq = torch.from_numpy(np.stack([stream[a:a + T + 1] for a in starts]).astype(np.int64))
        t0 = time.perf_counter()
        logits = forward(cfg, w, seq[:, :T], cos, sin, mask)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), seq[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(w.values()), optim["clip"])
        opt.step()
        step_ms.append((time.perf_counter() - t0) * 1000)
        losses.append(float(loss))
    print(json.dumps({"peer": "pytorch" if THREADS == 1 else "pytorch_mt", "stepMs": step_ms, "tokensPerStep": B * T, "losses": losses,
                      "torch": torch.__version__, "blas": blas_library()}))


def blas_library():
    """Which libblas.so.3 the dynamic linker gave torch (Debian's torch uses whatever BLAS is installed)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    return sorted(libs)


if __name__ == "__main__":
    main()
