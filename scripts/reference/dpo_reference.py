#!/usr/bin/python3
"""PyTorch sigmoid-DPO loss and gradients: the oracle for @puyu/train's DPO graph (src/dpo/DpoGraph.ts).

Uses the independent torch InternLM2 in internlm2_reference.py with the weights of the masked-loss
fixture (train_grad_reference.py: the same CFG and seed, so src/fixtures/grad/model.safetensors).
Two pairs = four rows of T tokens (prompt + chosen, prompt + rejected); a row's log-prob is the sum
of log p(next token) over its reply positions only (weight 1), the rest (prompt, padding) count 0.
  loss = -mean_p log sigmoid(beta * ((pi_c - pi_r) - (ref_c - ref_r)))
and with RPO (TRL's rpo_alpha) the same plus alpha * mean_p(-pi_c / reply tokens of c).
Writes dpo_batch.json, dpo_grads.safetensors and dpo_rpo_grads.safetensors.

Run:  /usr/bin/python3 scripts/reference/dpo_reference.py packages/train/src/dpo/fixtures
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
T = 12
BETA = 0.5
PAD = 2
prompt_a = [1, 17, 33, 48, 5]
prompt_b = [1, 60, 61, 9, 12, 70, 71]
SEQS = [  # (tokens, first reply index): the reply runs to the end of the sequence
    (prompt_a + [40, 41, 42, 43, 44, 2], 5),
    (prompt_a + [40, 77, 81, 2], 5),
    (prompt_b + [30, 31, 2], 7),
    (prompt_b + [88, 89, 90, 91, 2], 7),
]
REF_DIFF = [0.25, -0.6]  # reference log-ratios ref_c - ref_r per pair
RPO_ALPHA = 0.7


def rows():
    out = []
    for toks, start in SEQS:
        row = (toks + [PAD] * (T + 1))[:T + 1]
        weights = [1.0 if start <= t + 1 < len(toks) else 0.0 for t in range(T)]
        out.append((row[:T], row[1:T + 1], weights))
    return out


def dpo(alpha):
    w = random_weights(CFG, 4321)
    for t in w.values():
        t.requires_grad_(True)
    seq = []
    for inputs, targets, weights in rows():
        logp = torch.log_softmax(forward(CFG, w, inputs), dim=-1)
        tok = logp.gather(1, torch.tensor(targets).unsqueeze(1)).squeeze(1)
        seq.append((tok * torch.tensor(weights)).sum())
    z = torch.stack([BETA * ((seq[2 * p] - seq[2 * p + 1]) - REF_DIFF[p]) for p in range(len(REF_DIFF))])
    loss = -torch.nn.functional.logsigmoid(z).mean()
    if alpha:
        n_chosen = [sum(r[2]) for r in rows()[0::2]]
        loss = loss + alpha * torch.stack([-seq[2 * p] / n_chosen[p] for p in range(len(REF_DIFF))]).mean()
    loss.backward()
    return w, seq, loss


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    w, seq, loss = dpo(0)
    write_safetensors(os.path.join(out_dir, "dpo_grads.safetensors"), {k: v.grad for k, v in w.items()})
    w_rpo, _, rpo_loss = dpo(RPO_ALPHA)
    write_safetensors(os.path.join(out_dir, "dpo_rpo_grads.safetensors"), {k: v.grad for k, v in w_rpo.items()})
    r = rows()
    with open(os.path.join(out_dir, "dpo_batch.json"), "w") as f:
        json.dump({"T": T, "beta": BETA, "rows": [x[0] for x in r], "targets": [x[1] for x in r], "weights": [x[2] for x in r],
                   "ref_diff": REF_DIFF, "seq_logp": [float(s) for s in seq], "loss": float(loss),
                   "rpo_alpha": RPO_ALPHA, "rpo_loss": float(rpo_loss),
                   "torch": torch.__version__}, f, indent=2)
    print("loss", float(loss), "seq", [float(s) for s in seq])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "packages/train/src/dpo/fixtures")
