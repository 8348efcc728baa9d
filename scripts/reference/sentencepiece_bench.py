#!/usr/bin/python3
"""Peer side of bench/tokenizer/run.ts: times python sentencepiece encode on the same lines.

Reads a JSON array of strings from --input, encodes each line `--reps` times (best time kept),
and prints one JSON object: seconds, bytes, tokens, and a checksum of all ids so the caller can
confirm both sides produced the same tokens.
Usage: /usr/bin/python3 scripts/reference/sentencepiece_bench.py --model M --input lines.json
"""
import argparse
import json
import time

import sentencepiece as spm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--input', required=True)
    ap.add_argument('--reps', type=int, default=3)
    args = ap.parse_args()
    with open(args.input, encoding='utf-8') as f:
        lines = json.load(f)
    sp = spm.SentencePieceProcessor(model_file=args.model)
    encode = sp.encode
    best = float('inf')
    ids_all = None
    for _ in range(args.reps):
        t0 = time.perf_counter()
        ids_all = [encode(line) for line in lines]
        best = min(best, time.perf_counter() - t0)
    tokens = sum(len(x) for x in ids_all)
    checksum = 0
    for ids in ids_all:
        for i in ids:
            checksum = (checksum * 31 + i) % 2147483647
    n_bytes = sum(len(line.encode('utf-8')) for line in lines)
    print(json.dumps({'seconds': best, 'bytes': n_bytes, 'tokens': tokens, 'checksum': checksum, 'version': spm.__version__}))


if __name__ == '__main__':
    main()
