import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTokenizerPath, loadHfModel } from '@puyu/model';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-cli-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real CLI entry in-process, capturing stdout/stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('puyu model', () => {
  const hf = join(tmp, 'tiny');
  const gguf = join(tmp, 'tiny.gguf');

  it('init writes an HF folder (+ GGUF) with a byte-level tokenizer', async () => {
    const r = await run('model', 'init', hf, '--vocab', '320', '--seed', '5', '--gguf', gguf, '--type', 'q8_0', '-q');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('initialised InternLM2');
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.model', 'tokenizer_config.json', 'generation_config.json']) {
      expect(existsSync(join(hf, f)), f).toBe(true);
    }
    const cfg = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ architectures: ['InternLM2ForCausalLM'], vocab_size: 320, hidden_size: 64, num_key_value_heads: 2 });
    const tokCfg = JSON.parse(readFileSync(join(hf, 'tokenizer_config.json'), 'utf8'));
    expect(tokCfg.added_tokens_decoder['319'].content).toBe('<|im_start|>');
  });

  it('init without --vocab uses the bundled puyu-tiny tokenizer', async () => {
    const dir = join(tmp, 'default-tok');
    const r = await run('model', 'init', dir, '--layers', '1', '-q');
    expect(r.code).toBe(0);
    const asset = readFileSync(defaultTokenizerPath() ?? 'missing puyu-tiny.model');
    expect(readFileSync(join(dir, 'tokenizer.model')).equals(asset)).toBe(true);
    const s = JSON.parse((await run('model', 'inspect', dir, '--json')).out);
    expect(s.hyperParameters.vocab_size).toBe(s.tokenizer.vocabSize);
    expect(s.tokenizer.specialTokens['<|im_start|>']).toBeTypeOf('number');
  });

  it('inspect --json reports a GGUF', async () => {
    const r = await run('model', 'inspect', gguf, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.kind).toBe('gguf');
    expect(s.architecture).toBe('internlm2');
    expect(s.hyperParameters).toMatchObject({
      embedding_length: 64,
      block_count: 2,
      'attention.head_count_kv': 2,
      'attention.layer_norm_rms_epsilon': 1e-5,
    });
    expect(s.tokenizer).toMatchObject({ vocabSize: 320, model: 'llama' });
    expect(s.tensors.find((t: { name: string }) => t.name === 'blk.0.ffn_up.weight').dtype).toBe('q8_0');
  });

  it('inspect prints an HF folder', async () => {
    const r = await run('model', 'inspect', hf);
    expect(r.code).toBe(0);
    expect(r.out).toContain('architecture: InternLM2ForCausalLM');
    expect(r.out).toContain('model.layers.0.attention.wqkv.weight');
    expect(r.out).toMatch(/parameters: [\d.]+K/);
  });

  it('convert HF → GGUF(f32) → HF gives back identical weights', async () => {
    const g = join(tmp, 'rt.gguf');
    const back = join(tmp, 'back');
    expect((await run('model', 'convert', hf, g, '--type', 'f32', '-q')).code).toBe(0);
    const r = await run('model', 'convert', g, back, '--shard-bytes', '30000');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/convert \| \d+\/\d+ \| 100\.0%/); // progress on stderr
    expect(existsSync(join(back, 'model.safetensors.index.json'))).toBe(true);
    expect(r.out).toContain('tokenizer included');
    const a = await loadHfModel(hf);
    const b = await loadHfModel(back);
    for (const [k, t] of a.weights)
      expect(Buffer.from((b.weights.get(k)?.data ?? new Float32Array()).buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
    expect(readFileSync(join(back, 'tokenizer.model')).length).toBeGreaterThan(0);
  });

  it('the installed bin (bin/puyu.js → dist) runs the same commands', () => {
    const root = join(import.meta.dirname, '..', '..', '..', '..');
    const bin = join(root, 'packages/cli/bin/puyu.js');
    const dir = join(tmp, 'bin');
    const init = spawnSync(process.execPath, [bin, 'model', 'init', dir, '--vocab', '300', '--layers', '1', '-q'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(init.status, init.stderr).toBe(0);
    const insp = spawnSync(process.execPath, [bin, 'model', 'inspect', dir, '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(insp.status, insp.stderr).toBe(0);
    expect(JSON.parse(insp.stdout).hyperParameters.num_hidden_layers).toBe(1);
    const bad = spawnSync(process.execPath, [bin, 'model', 'inspect', join(tmp, 'none')], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[MODEL_NOT_FOUND]');
  });

  it('bad input fails with a coded message, never a crash', async () => {
    const missing = await run('model', 'convert', join(tmp, 'nope'), join(tmp, 'x.gguf'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('[MODEL_NOT_FOUND]');
    const heads = await run('model', 'init', join(tmp, 'bad'), '--vocab', '300', '--heads', '5');
    expect(heads.code).toBe(2);
    expect(heads.err).toContain('[MODEL_BAD_HEADS]');
    const dir = await run('model', 'convert', hf, join(tmp, 'y'), '--to', 'hf');
    expect(dir.err).toContain('[MODEL_BAD_DIRECTION]');
    const type = await run('model', 'convert', hf, join(tmp, 'z.gguf'), '--type', 'q5_k');
    expect(type.err).toContain('[MODEL_BAD_OUTPUT_TYPE]');
  });
});
