#!/usr/bin/env bash
# Builds ggml's BLAS backend (libggml-blas.so) from the llama.cpp source that
# node-llama-cpp 3.21.1 bundles, against OpenBLAS, so it matches the prebuilt
# libggml-base it loads beside. Opt-in: point PUYU_GGML_BLAS at the result.
#
#   bash bench/train/build-ggml-blas.sh [out-dir]      (needs g++ and libopenblas-dev,
#                                                       or OPENBLAS_ROOT=<unpacked .debs>/usr)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/.cache/ggml-blas}"
SRC="${LLAMA_SRC:-$OUT/llama-src}"
BIN="$ROOT/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
OB="${OPENBLAS_ROOT:-/usr}"
INC="$(dirname "$(find "$OB/include" -name cblas.h | head -1)")"
LIB="$(dirname "$(find "$OB/lib" -name 'libopenblas.so' | head -1)")"
mkdir -p "$OUT"
[ -d "$SRC/ggml" ] || git clone -q "$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$SRC"
g++ -O2 -std=c++17 -shared -fPIC -DGGML_BACKEND_DL -DGGML_BACKEND_SHARED -DGGML_BACKEND_BUILD -DGGML_BLAS_USE_OPENBLAS \
  -I"$SRC/ggml/include" -I"$SRC/ggml/src" -I"$INC" "$SRC/ggml/src/ggml-blas/ggml-blas.cpp" \
  -o "$OUT/libggml-blas.so" "$BIN/libggml-base.so" -L"$LIB" -lopenblas -Wl,-rpath,"$LIB"
echo "$OUT/libggml-blas.so"
