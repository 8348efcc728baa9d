"""The reference for @puyu/data's MinHash-LSH: datasketch's MinHash + MinHashLSH (its own code,
from a checkout of ekzhu/datasketch on PYTHONPATH) run on the same shingles (our 5-gram word
tokens, given as strings), streaming like `puyu data dedup`: query the LSH with each document,
remove it when any candidate comes back, else insert it. datasketch hashes each shingle with its
default sha1_hash32 and permutes with (a*x + b) mod (2^61 - 1).

stdin: JSONL {"id", "shingles": [str]}; stdout: JSON {"bands", "rows", "removed": [id]}.
"""
import json
import sys

from datasketch import MinHash, MinHashLSH

lsh = MinHashLSH(threshold=0.7, num_perm=128)
removed = []
for i, line in enumerate(sys.stdin):
    d = json.loads(line)
    if not d["shingles"]:
        continue
    m = MinHash(num_perm=128, seed=1)
    m.update_batch([s.encode("utf-8") for s in d["shingles"]])
    if lsh.query(m):
        removed.append(d["id"])
    else:
        lsh.insert(d["id"], m)
print(json.dumps({"bands": lsh.b, "rows": lsh.r, "removed": removed}))
