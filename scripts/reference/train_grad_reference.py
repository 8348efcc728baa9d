#!/usr/bin/python3
"""PyTorch gradients of InternLM2's masked cross-entropy: the oracle for @puyu/train's ggml backward.

Uses the independent torch InternLM2 in internlm2_reference.py. A batch of 2 rows × 16 tokens,
the second row packing two documents (attention and positions restart at the boundary),
per-token loss weights including zeros (a zero weight must contribute no gradient).
Loss = Σ w·CE / Σ w. Writes config.json, model.safetensors, batch.json and grads.safetensors.

Run:  /usr/bin/python3 scripts/reference/train_grad_reference.py packages/train/src/fixtures/grad
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from internlm2_reference import BASE, forward, random_weights, write_safetensors  # noqa: E402

torch.set_num_threads(1)

CFG = {**BASE, "vocab_size": 96, "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64, "rope_scaling": None}
T = 16
ROWS = [
    [(i * 37 + 5) % 96 for i in range(T + 1)],
    [(i * 11 + 3) % 96 for i in range(T + 1)],
]
DOCS = [[0] * T, [0] * 6 + [1] * 10]  # row 1 packs a 6-token and a 10-token document
WEIGHTS = [
    [1.0] * T,
    [0.0, 0.0, 1.0, 1.0, 0.5, 1.0, 0.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0],
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    w = random_weights(CFG, 4321)
    for t in w.values():
        t.requires_grad_(True)
    total, wsum = 0.0, 0.0
    for row, docs, weights in zip(ROWS, DOCS, WEIGHTS):
        inputs, targets = row[:T], row[1:T + 1]
        start = 0
        while start < T:
            end = start
            while end < T and docs[end] == docs[start]:
                end += 1
            logits = forward(CFG, w, inputs[start:end])
            ce = torch.nn.functional.cross_entropy(logits, torch.tensor(targets[start:end]), reduction="none")
            total = total + (ce * torch.tensor(weights[start:end])).sum()
            start = end
        wsum += sum(weights)
    loss = total / wsum
    loss.backward()
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(CFG, f, indent=2)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), {k: v.detach() for k, v in w.items()})
    write_safetensors(os.path.join(out_dir, "grads.safetensors"), {k: v.grad for k, v in w.items()})
    with open(os.path.join(out_dir, "batch.json"), "w") as f:
        json.dump({"T": T, "rows": [r[:T] for r in ROWS], "targets": [r[1:T + 1] for r in ROWS], "docs": DOCS,
                   "weights": WEIGHTS, "loss": float(loss), "torch": torch.__version__}, f, indent=2)
    print("loss", float(loss))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "packages/train/src/fixtures/grad")
