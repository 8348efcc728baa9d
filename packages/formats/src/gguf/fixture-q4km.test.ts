/**
 * Opens a GGUF file written by llama.cpp itself (its `llama_model_quantize`, Q4_K_M),
 * made by scripts/make-q4km-fixture.ts from a tiny random InternLM2 model.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeGguf } from './describeGguf.js';
import { GgufFile } from './GgufFile.js';
import { GgufWriter } from './GgufWriter.js';
import { GgmlType } from './ggml-type.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/tiny-internlm2-q4_k_m.gguf');

describe('llama.cpp-produced Q4_K_M file', () => {
  it('opens with the right metadata', async () => {
    await using f = await GgufFile.open(FIXTURE);
    expect(f.version).toBe(3);
    expect(f.architecture).toBe('internlm2');
    expect(f.alignment).toBe(32);
    expect(f.getNumber('general.file_type')).toBe(15); // LLAMA_FTYPE_MOSTLY_Q4_K_M, set by llama.cpp
    expect(f.getNumber('general.quantization_version')).toBe(2);
    expect(f.getNumber('internlm2.embedding_length')).toBe(256);
    expect(f.getNumber('internlm2.block_count')).toBe(2);
    expect(f.getNumber('internlm2.attention.head_count_kv')).toBe(2);
    expect(f.getNumber('internlm2.attention.layer_norm_rms_epsilon')).toBe(Math.fround(1e-5));
    expect(f.getString('tokenizer.ggml.model')).toBe('llama');
    const tokens = f.getArray('tokenizer.ggml.tokens') as string[];
    expect(tokens).toHaveLength(512);
    expect(tokens.slice(0, 6)).toEqual(['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>', '<0x00>']);
    expect(tokens[261]).toBe('▁a');
    expect(f.getArray('tokenizer.ggml.token_type')?.slice(0, 6)).toEqual([2, 3, 3, 3, 3, 6]);
  });

  it('has K-quant tensors with ggml shapes, contiguous aligned data', async () => {
    await using f = await GgufFile.open(FIXTURE);
    expect(f.tensors).toHaveLength(21);
    const type = (name: string) => f.requireTensor(name).type;
    expect(type('output.weight')).toBe(GgmlType.Q6_K);
    expect(type('token_embd.weight')).toBe(GgmlType.Q4_K);
    expect(type('blk.0.attn_q.weight')).toBe(GgmlType.Q4_K);
    expect(type('blk.1.ffn_down.weight')).toBe(GgmlType.Q6_K);
    expect(type('blk.0.attn_norm.weight')).toBe(GgmlType.F32);
    expect(f.requireTensor('blk.0.attn_k.weight').ne).toEqual([256, 128]);
    expect(f.requireTensor('blk.0.attn_k.weight').byteLength).toBe((256 * 128 * 144) / 256);
    expect(f.requireTensor('output.weight').byteLength).toBe((256 * 512 * 210) / 256);
    // ggml lays tensors out back to back, each padded to the alignment.
    let expected = 0;
    for (const t of f.tensors) {
      expect(t.relativeOffset).toBe(expected);
      expected += Math.ceil(t.byteLength / 32) * 32;
    }
    expect(f.dataOffset + expected).toBe(f.fileSize);
    expect(Array.from(await f.readTensorF32('blk.1.ffn_norm.weight'))).toEqual(new Array(256).fill(1));
    expect((await f.readTensorBytes('output.weight')).byteLength).toBe(107520);
    expect(f.requireTensor('token_embd.weight').ne).toEqual([256, 512]);
    expect(describeGguf(f, { tensors: false })).toMatch(/q4_K\s+13 tensors.*4\.50 bits\/weight/);
  });

  it('dequantizes Q4_K and Q6_K exactly as ggml does', async () => {
    await using f = await GgufFile.open(FIXTURE);
    // sha256 (first 16 hex) of ggml's dequantize_row_q4_K / _q6_K output for these tensors,
    // recorded through koffi; fixture-q4km.model.test.ts re-derives them from libggml.
    const golden: Record<string, string> = {
      'output.weight': 'c7a5ffd5b9dcee96',
      'token_embd.weight': 'b11679758ceb498a',
      'blk.0.attn_k.weight': '5671c2f8eb27af29',
      'blk.1.ffn_down.weight': '20399d811a3a3f05',
    };
    for (const [name, hash] of Object.entries(golden)) {
      const x = await f.readTensorF32(name);
      expect(createHash('sha256').update(new Uint8Array(x.buffer)).digest('hex').slice(0, 16), name).toBe(hash);
      // The source weights were uniform in ±0.05.
      expect(
        x.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
        name,
      ).toBeLessThan(0.06);
    }
  });

  it('our writer reproduces it byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-q4km-'));
    try {
      const out = join(dir, 'copy.gguf');
      {
        await using f = await GgufFile.open(FIXTURE);
        await new GgufWriter().copyFrom(f).write(out);
      }
      expect((await readFile(out)).equals(await readFile(FIXTURE))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
