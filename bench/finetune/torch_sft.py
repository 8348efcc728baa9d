#!/usr/bin/python3
"""PyTorch CPU fp32 peer of bench/finetune: one full-parameter SFT step on the same model and batches.

The batches are the very rows our SFT batcher packed (run.ts writes them): several dialogues per
row with attention and positions kept inside each (block-diagonal causal mask, positions restarting
per dialogue), loss = sum(w * CE) / sum(w) over assistant tokens only, clip_grad_norm_, AdamW with
weight decay on matrices only. One thread. Prints one JSON line: {"peer", "stepMs", "tokensPerStep",
"losses", "peakRssMB", "startRssMB"}.

Run:  /usr/bin/python3 bench/finetune/torch_sft.py <hfDir> <batches.json> <optim-json>
"""
import json
import math
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
from torch_train import blas_library, read_safetensors, rms_norm, rotate_half  # noqa: E402

torch.set_num_threads(1)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


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


def packing(cfg, docs, T):
    """RoPE cos/sin [B, 1, T, hd] with positions restarting per dialogue, and the [B, 1, T, T] mask."""
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    pos = torch.zeros(docs.shape, dtype=torch.float32)
    for b in range(docs.shape[0]):
        for t in range(1, T):
            pos[b, t] = pos[b, t - 1] + 1 if docs[b, t] == docs[b, t - 1] else 0
    freqs = pos.unsqueeze(-1) * inv
    emb = torch.cat((freqs, freqs), dim=-1).unsqueeze(1)
    same = docs.unsqueeze(2) == docs.unsqueeze(1)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    mask = torch.where(same & causal, 0.0, float("-inf")).unsqueeze(1)
    return emb.cos(), emb.sin(), mask


def main():
    hf_dir, batches_path, optim = sys.argv[1:4]
    optim = json.loads(optim)
    start_rss = rss_mb()
    with open(f"{hf_dir}/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(f"{hf_dir}/model.safetensors")
    with open(batches_path) as f:
        batches = json.load(f)
    for t in w.values():
        t.requires_grad_(True)
    decay = [t for t in w.values() if t.dim() > 1]
    no_decay = [t for t in w.values() if t.dim() == 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": optim["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=optim["lr"], betas=(optim["beta1"], optim["beta2"]), eps=optim["eps"])
    step_ms, losses, tokens = [], [], 0
    for bt in batches:
        rows = torch.tensor(bt["rows"], dtype=torch.int64)
        B, T = rows.shape
        tokens = B * T
        targets = torch.tensor(bt["targets"], dtype=torch.int64).view(B, T)
        weights = torch.tensor(bt["weights"], dtype=torch.float32).view(B, T)
        docs = torch.tensor(bt["docIds"], dtype=torch.int64).view(B, T)
        t0 = time.perf_counter()
        cos, sin, mask = packing(cfg, docs, T)
        logits = forward(cfg, w, rows, cos, sin, mask)
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), targets.reshape(-1), reduction="none")
        loss = (ce * weights.reshape(-1)).sum() / weights.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(w.values()), optim["clip"])
        opt.step()
        step_ms.append((time.perf_counter() - t0) * 1000)
        losses.append(float(loss))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peer": "pytorch", "stepMs": step_ms, "tokensPerStep": tokens, "losses": losses, "peakRssMB": peak,
                      "startRssMB": start_rss, "torch": torch.__version__, "blas": blas_library()}))


if __name__ == "__main__":
    main()
