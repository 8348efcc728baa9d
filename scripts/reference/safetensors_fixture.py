#!/usr/bin/python3
"""PyTorch oracle for Puyu's safetensors reader and writer (no `safetensors` package needed).

  safetensors_fixture.py write OUT_DIR   writes OUT_DIR/reference.safetensors (laid out by hand the
                                         way the Rust reference does) + OUT_DIR/reference.json
                                         (expected raw bytes and torch's `.float()` bits)
  safetensors_fixture.py read FILE       parses FILE with struct/json/torch and prints JSON: header
                                         facts, each tensor's raw bytes, `.float()` bits, and for F32
                                         tensors torch's own f16/bf16 rounding of the same values
  safetensors_fixture.py index FILE      prints FILE (a shard index) re-serialized the way
                                         save_pretrained writes it

Run with /usr/bin/python3 (it has torch 1.13).
"""
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
# The Rust reference's Dtype enum order; files are sorted by descending rank, then name bytes.
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
        "I32", "U32", "F32", "F64", "I64", "U64"]
SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def raw_bytes(t):
    flat = t.contiguous().reshape(-1)
    if flat.numel() == 0:
        return b""
    return bytes(flat.view(torch.uint8).tolist())


def f32_bits(t):
    return [v & 0xFFFFFFFF for v in t.float().reshape(-1).view(torch.int32).tolist()]


def half_bits(t, dtype):
    return [v & 0xFFFF for v in t.float().reshape(-1).to(dtype).view(torch.int16).tolist()]


SPECIAL = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"), 1e-45, 3.4e38,
           65504.0, 65520.0, 6e-8, 1e-8, 1.0 / 3.0, -2.5e-5, 1.00390625, 1.0 + 2 ** -8 + 2 ** -9]


def make_tensors():
    g = torch.Generator().manual_seed(20240601)
    return [
        ("model.embed_tokens.weight", "F32", torch.randn(4, 8, generator=g)),
        ("special.f32", "F32", torch.tensor(SPECIAL, dtype=torch.float32)),
        ("scalar", "F32", torch.tensor(3.5)),
        ("layers.0.attn.wqkv.weight", "F16", torch.randn(3, 5, generator=g).half()),
        ("special.f16", "F16", torch.tensor(SPECIAL, dtype=torch.float32).half()),
        ("empty", "F16", torch.zeros(0, 4, dtype=torch.float16)),
        ("layers.0.ffn.w1.weight", "BF16", torch.randn(2, 3, 4, generator=g).bfloat16()),
        ("special.bf16", "BF16", torch.tensor(SPECIAL, dtype=torch.float32).bfloat16()),
        ("position_ids", "I64", torch.tensor([0, 1, -3, 2 ** 40, 7], dtype=torch.int64)),
        ("mask", "U8", torch.tensor([[0, 1, 2, 255], [9, 8, 7, 6]], dtype=torch.uint8)),
        ("模型.scale", "F32", torch.tensor([0.5, -4.0])),
    ]


def write(out_dir):
    tensors = make_tensors()
    tensors.sort(key=lambda x: (-RANK.index(x[1]), x[0].encode("utf-8")))
    metadata = {"format": "pt", "source": "torch oracle"}
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, dtype, t in tensors:
        b = raw_bytes(t)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(f"{out_dir}/reference.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    expected = {
        "torch": torch.__version__,
        "header_length": len(text),
        "metadata": metadata,
        "order": [name for name, _, _ in tensors],
        "tensors": {
            name: {"dtype": dtype, "shape": list(t.shape), "raw_hex": raw_bytes(t).hex(), "f32_bits": f32_bits(t)}
            for name, dtype, t in tensors
        },
    }
    with open(f"{out_dir}/reference.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None)
    body = data[8 + n:]
    cursor = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        s, e = info["data_offsets"]
        assert s == cursor, f"{name}: offsets not contiguous"
        count = 1
        for d in info["shape"]:
            count *= d
        assert e - s == count * SIZE[info["dtype"]], f"{name}: size mismatch"
        cursor = e
    assert cursor == len(body), "trailing or missing bytes"
    raw = data[8:8 + n]
    # What follows the JSON's closing brace: the reference pads with spaces only.
    out = {"header_length": n, "header_tail": raw[raw.rindex(b"}") + 1:].decode("ascii"),
           "metadata": metadata, "order": list(header.keys()),
           "reference_order": [k for k, _ in sorted(header.items(), key=lambda kv: (-RANK.index(kv[1]["dtype"]), kv[0].encode("utf-8")))],
           "tensors": {}}
    for name, info in header.items():
        s, e = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if e > s:
            t = torch.frombuffer(bytearray(body[s:e]), dtype=dtype).reshape(info["shape"])
        else:
            t = torch.zeros(info["shape"], dtype=dtype)
        entry = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [s, e],
                 "raw_hex": body[s:e].hex(), "f32_bits": f32_bits(t)}
        if info["dtype"] == "F32":
            entry["torch_f16_bits"] = half_bits(t, torch.float16)
            entry["torch_bf16_bits"] = half_bits(t, torch.bfloat16)
        out["tensors"][name] = entry
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def index(path):
    # transformers' save_pretrained writes the shard index exactly like this.
    with open(path, encoding="utf-8") as f:
        sys.stdout.write(json.dumps(json.load(f), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    modes = {"write": write, "read": read, "index": index}
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    modes[sys.argv[1]](sys.argv[2])
