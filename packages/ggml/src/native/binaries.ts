import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '@puyu/core';

/**
 * node-llama-cpp ships ggml + libllama as prebuilt shared libraries in a
 * per-platform package (`@node-llama-cpp/linux-x64`, …). We load those same
 * files, so training (ggml) and inference (llama.cpp) share one build.
 */
export function platformPackage(platform = process.platform, arch = process.arch): string {
  const os = platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : platform;
  return `${os}-${arch}`;
}

export interface GgmlBinaries {
  dir: string;
  ggmlBase: string;
  ggml: string;
  llama: string;
}

/** Finds the shared libraries; `PUYU_GGML_DIR` overrides (e.g. a BLAS-enabled build of the same source). */
export function findGgmlBinaries(): GgmlBinaries {
  const override = process.env.PUYU_GGML_DIR;
  const dir = override ?? defaultBinDir();
  const ext = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';
  const pick = (...names: string[]): string => {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
    throw new EngineError(
      'GGML_LIB_MISSING',
      `none of ${names.join(', ')} found in ${dir}. Reinstall with \`npm install\` (node-llama-cpp@3.21.1 ships them) or set PUYU_GGML_DIR.`,
    );
  };
  return {
    dir,
    ggmlBase: pick(`libggml-base.${ext}`, 'ggml-base.dll'),
    ggml: pick(`libggml.v0.4.0.${ext}`, `libggml.${ext}`, 'ggml.dll'),
    llama: pick(`libllama.v0.4.0.${ext}`, `libllama.${ext}`, 'llama.dll'),
  };
}

function defaultBinDir(): string {
  const pkg = `@node-llama-cpp/${platformPackage()}`;
  let pkgJson: string | undefined;
  const tryResolve = (from: string) => {
    try {
      // the package exports only its entry (dist/index.js); bins/ sits beside dist/
      return join(dirname(createRequire(from).resolve(pkg)), '..', 'package.json');
    } catch {
      return undefined;
    }
  };
  // hoisted next to us, or nested inside node-llama-cpp (which depends on it)
  pkgJson = tryResolve(import.meta.url);
  if (!pkgJson) {
    try {
      pkgJson = tryResolve(fileURLToPath(import.meta.resolve('node-llama-cpp')));
    } catch {
      pkgJson = undefined;
    }
  }
  if (!pkgJson)
    throw new EngineError(
      'GGML_PLATFORM_UNSUPPORTED',
      `no prebuilt llama.cpp package ${pkg} is installed for this platform. Run \`npm install\`, or set PUYU_GGML_DIR to a folder with libggml-base, libggml and libllama.`,
    );
  return join(dirname(pkgJson), 'bins', platformPackage());
}
