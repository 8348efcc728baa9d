#!/bin/sh
# npm install's build step (the root "prepare" script). The TypeScript build and the Studio's bundle
# use one core; the native ggml CPU backend compiles for this CPU on the other at the same time
# (scripts/native-at-install.ts, which never fails the install). The install fails only when the
# TypeScript or Studio build does.
tsx --conditions=source scripts/native-at-install.ts &
native=$!
tsc -b && npm run build -w apps/studio
status=$?
wait "$native"
exit "$status"
