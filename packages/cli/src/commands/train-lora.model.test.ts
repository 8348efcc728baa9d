import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { describe, expect, it } from 'vitest';

// The real `puyu` binary (built by the suite's global setup): train lora, then train merge.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

describe('puyu train lora / puyu train merge (real CLI)', () => {
  it('trains an adapter (GGUF path last), merges it into an HF folder with the chat template + GGUF, and refuses misfits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-lora-cli-'));
    const tokPath = defaultTokenizerPath() as string;
    const tok = loadTokenizer(tokPath);
    const shape = {
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 64,
      max_position_embeddings: 512,
      vocab_size: tok.vocabSize,
      bos_token_id: tok.bosId,
      eos_token_id: tok.eosId,
      pad_token_id: tok.eosId,
    };
    const config = makeInternLM2Config({ ...shape, hidden_size: 32 });
    await saveHfModel(join(dir, 'hf'), config, initInternLM2(config, { seed: 1, std: 0.2 }), { tokenizer: tokPath });
    writeFileSync(
      join(dir, 'lora.json'),
      JSON.stringify({
        init_from: 'hf',
        data: { generate: { kind: 'calculator', train: 6, heldout: 2, seed: 0 } },
        train: { seq_len: 512, batch_size: 1, steps: 3, lr: 1e-2, warmup_steps: 1, seed: 1 },
        eval: { every: 3, batches: 1 },
        lora: { rank: 4, alpha: 8, target_modules: ['wqkv', 'w2'] },
        output: { dir: 'out', gguf: ['f32', 'f16'] },
      }),
    );
    const r = spawnSync(process.execPath, [BIN, 'train', 'lora', 'lora.json'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trimEnd().split('\n').at(-1) as string;
    expect(last).toBe(join(dir, 'out', 'adapter-f16.gguf'));
    expect(existsSync(last)).toBe(true);
    expect(r.stdout).toMatch(/adapter\s+.*out\/adapter \(PEFT, \d+ values\)/);

    const merge = (out: string, extra: string[] = [], adapter = 'out/adapter', base = 'hf') =>
      spawnSync(process.execPath, [BIN, 'train', 'merge', '--base', base, '--adapter', adapter, '--out', out, ...extra], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
    const m = merge('merged', ['--gguf', 'f16,q8_0']);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout.trimEnd().split('\n')).toEqual([
      `merged 2 adapted layer(s) → merged`,
      join('merged', 'model-f16.gguf'),
      join('merged', 'model-q8_0.gguf'),
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'merged', 'tokenizer_config.json'), 'utf8')).chat_template).toContain('<|im_start|>');

    expect(merge('merged').stderr).toContain('TRAIN_OUTPUT_EXISTS');
    const other = makeInternLM2Config({ ...shape, hidden_size: 64 });
    await saveHfModel(join(dir, 'other'), other, initInternLM2(other, { seed: 2 }), { tokenizer: tokPath });
    const misfit = merge('x', [], 'out/adapter', 'other');
    expect(misfit.status).toBe(2);
    expect(misfit.stderr).toMatch(/TRAIN_LORA_BAD_ADAPTER.*\[4, 32\], the base needs \[4, 64\]/);
    expect(merge('y', [], 'hf').stderr).toContain('TRAIN_LORA_BAD_ADAPTER');
    expect(merge('z', ['--gguf', 'f16,q9']).stderr).toContain('CLI_BAD_OPTION');
  });
});
