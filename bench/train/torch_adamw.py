"""PyTorch peer of bench/train/adamw.ts: torch.optim.AdamW steps over the same tensor sizes, one thread.
Prints one JSON line: {"ms": [per-step wall ms, ...]}.  argv: sizes (comma-separated) steps"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
sizes = [int(x) for x in sys.argv[1].split(",")]
steps = int(sys.argv[2])
gen = torch.Generator().manual_seed(0)
params = [torch.nn.Parameter(torch.rand(n, generator=gen) - 0.5) for n in sizes]
for p in params:
    p.grad = (torch.rand(p.shape, generator=gen) - 0.5) * 1e-2
opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
ms = []
for _ in range(steps):
    t0 = time.perf_counter()
    opt.step()
    ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"ms": ms, "torch": torch.__version__, "foreach": opt.defaults.get("foreach")}))
