"""datatrove's MinHash signature stage as the peer of bench/data (issue 12).

Runs datatrove's own MinhashDedupSignature.get_shingles / get_signature (its source tree at
.cache/datatrove/src, taken from the datatrove repository by bench/data/run.ts) on the bench
corpus, with the same parameters as ours: 5-gram shingles, 14 buckets x 9 hashes (= 126 of the
128 permutations, the bands/rows datasketch's optimal_param picks for threshold 0.7).

datatrove is not pip-installable here (no PyPI), so its optional dependencies that the signature
code never calls (loguru, fsspec, huggingface_hub, ...) are stubbed at import, its hash is sha1
(xxhash, its default, is a C extension we cannot install) and its word tokenizer (nltk/spacy)
is replaced by a whitespace split of its own simplify_text output (which has already removed
punctuation). Then, as its buckets stage does, two documents are duplicates when any bucket of
hashes is equal; a document is removed when it matches an earlier kept one.

Reads JSONL from stdin path argv[1]; prints JSON {seconds, docs, removed_ids}.
"""
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import sys
import time
from unittest import mock


class _Stub(importlib.abc.MetaPathFinder):
    ROOTS = {"loguru", "fsspec", "huggingface_hub", "humanize", "tqdm", "multiprocess", "dill", "xxhash", "nltk", "tokenizers", "spacy", "orjson"}

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in self.ROOTS:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        m = mock.MagicMock(name=spec.name)
        m.__path__ = []
        m.__spec__ = spec
        return m

    def exec_module(self, m):
        pass


sys.meta_path.insert(0, _Stub())
sys.path.insert(0, sys.argv[2])
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature  # noqa: E402
from datatrove.utils.hashing import HashConfig, create_hash_func  # noqa: E402


class _Whitespace:
    def word_tokenize(self, text):
        return text.split()


cfg = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=9, hash_config=HashConfig(precision=64, hash_fc="sha1"))
sig = object.__new__(MinhashDedupSignature)
sig.config = cfg
sig.num_hashes = cfg.num_buckets * cfg.hashes_per_bucket
sig._parameters = None
sig._hash_func = create_hash_func(cfg.hash_config)
sig.word_tokenizer = _Whitespace()

docs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
t0 = time.perf_counter()
buckets = [dict() for _ in range(cfg.num_buckets)]
removed = []
for d in docs:
    sh = sig.get_shingles(d["text"])
    if sh.shape[0] == 0:
        continue
    s = sig.get_signature(sh)
    keys = [tuple(b) for b in s]
    if any(k in buckets[i] for i, k in enumerate(keys)):
        removed.append(d["id"])
        continue
    for i, k in enumerate(keys):
        buckets[i][k] = d["id"]
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "docs": len(docs), "removed_ids": removed}))
