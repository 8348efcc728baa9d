import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The llama.cpp source node-llama-cpp ships inside its package: `llama/gitRelease.bundle`, a
 * git bundle of the exact commit its prebuilt binaries were built from (what
 * `npx node-llama-cpp source download` clones offline). Nothing is fetched from the network.
 */
export interface LlamaCppSource {
  bundle: string;
  /** The commit the bundle's HEAD names (40 hex digits). */
  commit: string;
}

/** Reads the commit of a git bundle's HEAD from its header ("# v2 git bundle", then "<sha> <ref>" lines). */
export function parseBundleHeader(header: string): string | undefined {
  const lines = header.split('\n');
  if (!/^# v[23] git bundle$/.test(lines[0] ?? '')) return undefined;
  let first: string | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') break; // the header ends at the first empty line; pack data follows
    const m = /^([0-9a-f]{40}) (\S+)$/.exec(line);
    if (!m) continue; // capabilities (@…) and prerequisites (-…)
    first ??= m[1];
    if (m[2] === 'HEAD') return m[1];
  }
  return first;
}

/** The bundle inside the installed node-llama-cpp, or undefined when it is not there. */
export function findLlamaCppSource(): LlamaCppSource | undefined {
  let pkgDir: string;
  try {
    // node-llama-cpp's entry is dist/index.js; llama/ sits beside dist/
    pkgDir = join(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..');
  } catch {
    return undefined;
  }
  const bundle = join(pkgDir, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) return undefined;
  const buf = Buffer.alloc(4096);
  const fd = openSync(bundle, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const commit = parseBundleHeader(buf.subarray(0, n).toString('latin1'));
  return commit ? { bundle, commit } : undefined;
}
