/**
 * Files we write, read back by PyTorch (scripts/reference/safetensors_fixture.py).
 * Skipped, with the reason printed, where /usr/bin/python3 lacks torch; the committed
 * fixture (SafetensorsFile.test.ts / writeSafetensors.test.ts) covers the default suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './SafetensorsFile.js';
import { writeSafetensors } from './writeSafetensors.js';
import { writeShardedSafetensors } from './writeShardedSafetensors.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, '../../../../scripts/reference/safetensors_fixture.py');
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skipReason =
  probe.status === 0 ? undefined : `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
if (skipReason) console.log(`[safetensors torch oracle] skipped: ${skipReason}`);

function python(mode: string, path: string): string {
  const r = spawnSync(PYTHON, [SCRIPT, mode, path], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python ${mode} failed: ${r.stderr}`);
  return r.stdout;
}

interface PyTensor {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
  raw_hex: string;
  f32_bits: number[];
  torch_f16_bits?: number[];
  torch_bf16_bits?: number[];
}
interface PyRead {
  header_length: number;
  header_tail: string;
  metadata: Record<string, string> | null;
  order: string[];
  reference_order: string[];
  tensors: Record<string, PyTensor>;
}

const u16 = (hex: string) => Array.from(new Uint16Array(new Uint8Array(Buffer.from(hex, 'hex')).buffer));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.skipIf(skipReason !== undefined)('safetensors files we write, read by PyTorch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'puyu-st-torch-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('torch reads our header, order, padding and data; our f16/bf16 rounding equals torch .to()', async () => {
    // Random values plus the cases rounding gets wrong: ties to even, subnormals, overflow, NaN, -0.
    const n = 4096;
    const src = new Float32Array(n);
    let s = 42;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      src[i] = ((s / 2 ** 32) * 2 - 1) * 2 ** ((i % 40) - 20);
    }
    const special = [
      0,
      -0,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      1 + 2 ** -8,
      1 + 3 * 2 ** -8,
      65504,
      65519.99,
      65520,
      1e-7,
      5.96e-8,
      2.98e-8,
      1e-40,
      3.4e38,
      -1e30,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ];
    src.set(special);
    const path = join(dir, 'ours.safetensors');
    await writeSafetensors(
      path,
      [
        { name: 'w.f16', dtype: 'F16', shape: [64, 64], data: src },
        { name: 'w', dtype: 'F32', shape: [64, 64], data: src },
        { name: 'w.bf16', dtype: 'BF16', shape: [4, 1024], data: src },
        { name: '层.bias', dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) },
        { name: 'ids', dtype: 'I64', shape: [2], data: new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer) },
        { name: 'scalar', dtype: 'BF16', shape: [], data: new Float32Array([-0.75]) },
      ],
      { format: 'pt', producer: 'puyu' },
    );
    const py = JSON.parse(python('read', path)) as PyRead;
    expect(py.order).toEqual(py.reference_order);
    expect(py.header_length % 8).toBe(0);
    expect(py.header_tail).toMatch(/^ *$/);
    expect(py.metadata).toEqual({ format: 'pt', producer: 'puyu' });
    expect(u16(py.tensors['w.f16'].raw_hex)).toEqual(py.tensors.w.torch_f16_bits);
    // NaN payloads differ inside torch itself (scalar c10::BFloat16 → 0x7FC0, the vectorized CPU
    // path → 0xFFFF); we keep c10's quiet NaN, so compare NaNs as "is a bf16 NaN".
    const isBf16NaN = (b: number) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
    const ourBf16 = u16(py.tensors['w.bf16'].raw_hex);
    const torchBf16 = py.tensors.w.torch_bf16_bits as number[];
    expect(ourBf16.map((b, i) => (Number.isNaN(src[i]) ? isBf16NaN(b) && isBf16NaN(torchBf16[i]) : b))).toEqual(
      torchBf16.map((b, i) => (Number.isNaN(src[i]) ? true : b)),
    );
    expect(py.tensors['w.bf16'].shape).toEqual([4, 1024]);
    expect(py.tensors.scalar.shape).toEqual([]);
    await using f = await SafetensorsFile.open(path);
    for (const name of f.names) {
      expect(bits(await f.readF32(name)), name).toEqual(py.tensors[name].f32_bits);
      expect(f.info(name).dataOffsets, name).toEqual(py.tensors[name].data_offsets);
    }
  });

  it('our shard index is byte-identical to json.dumps(indent=2, sort_keys=True)', async () => {
    const tensors = Array.from({ length: 7 }, (_, i) => ({
      name: `model.layers.${i}.feed_forward.w${(i % 3) + 1}.weight`,
      dtype: 'BF16' as const,
      shape: [8, 8],
      data: new Float32Array(64).fill(i),
    }));
    const w = await writeShardedSafetensors(
      join(dir, 'sharded'),
      [...tensors, { name: 'ünïcode.w', dtype: 'F32', shape: [2], data: new Float32Array(2) }],
      {
        maxShardBytes: 300,
        indexMetadata: { total_parameters: 456 },
      },
    );
    expect(w.files.length).toBeGreaterThan(2);
    const ours = await readFile(w.indexPath as string, 'utf8');
    expect(ours).toBe(python('index', w.indexPath as string));
    for (const file of w.files) {
      const py = JSON.parse(python('read', file)) as PyRead;
      expect(py.metadata).toEqual({ format: 'pt' });
      expect(py.order).toEqual(py.reference_order);
    }
  });
});
