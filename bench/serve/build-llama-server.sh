#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU only, release) from the exact llama.cpp source that
# node-llama-cpp ships, so bench/serve compares our server with the same kernels it runs on.
# The source and the binary live outside the repo (never commit them). Idempotent: an existing
# clone is reused and cmake only rebuilds what changed.
#
#   bench/serve/build-llama-server.sh            # → ~/.cache/puyu/llama.cpp/build/bin/llama-server
#   PUYU_LLAMA_CPP_DIR=/elsewhere bench/serve/build-llama-server.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$repo_root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
dir="${PUYU_LLAMA_CPP_DIR:-$HOME/.cache/puyu/llama.cpp}"
jobs="${JOBS:-2}"

if [[ ! -f "$bundle" ]]; then
  echo "no $bundle: run npm ci first (node-llama-cpp ships the llama.cpp source as a git bundle)" >&2
  exit 1
fi

if [[ ! -d "$dir/.git" ]]; then
  mkdir -p "$(dirname "$dir")"
  git clone --quiet "$bundle" "$dir"
fi

# The bundle's HEAD is the commit node-llama-cpp's prebuilt libraries were built from; stay on it
# even if an older clone of another release is in the cache.
want="$(git ls-remote "$bundle" HEAD | cut -f1)"
have="$(git -C "$dir" rev-parse HEAD)"
if [[ "$want" != "$have" ]]; then
  git -C "$dir" fetch --quiet "$bundle" HEAD
  git -C "$dir" -c advice.detachedHead=false checkout --quiet "$want"
fi

cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$dir/build" --config Release --target llama-server -j"$jobs"

echo "$dir/build/bin/llama-server"
