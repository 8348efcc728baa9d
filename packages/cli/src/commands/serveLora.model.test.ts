import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadHfModel, Prng } from '@puyu/model';
import type { CompletionBody } from '@puyu/serve';
import { makeToolModel } from '@puyu/testing';
import { initLoraWeights, type LoraSettings, mergeLoraAdapter, saveLoraAdapter, writeLoraGguf } from '@puyu/train';
import { beforeAll, describe, expect, it } from 'vitest';

// `puyu serve BASE --lora ADAPTER` (the real binary, built by the suite's global setup) against
// `puyu serve MERGED` and `puyu serve BASE`: the same text scored through the OpenAI API
// (/v1/completions, echo + logprobs) must match the merged model and differ from the base.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const TEXT = 'The calculator says 12 + 30 = 42, and 7 times 6 is also 42.';
let base = '';
let adapterGguf = '';
let mergedGguf = '';

beforeAll(async () => {
  const tool = await makeToolModel();
  base = tool.gguf;
  const dir = mkdtempSync(join(tmpdir(), 'puyu-serve-lora-'));
  const { config } = await loadHfModel(tool.hf);
  const settings: LoraSettings = { rank: 4, alpha: 8, dropout: 0, target_modules: ['wqkv', 'wo', 'w1', 'w2', 'w3'] };
  const adapter = initLoraWeights(config, settings, 1);
  const rng = new Prng(5);
  for (const [name, t] of adapter) if (name.includes('lora_B')) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.05;
  await saveLoraAdapter(join(dir, 'adapter'), settings, adapter, tool.hf);
  adapterGguf = join(dir, 'adapter-f32.gguf');
  await writeLoraGguf(adapterGguf, config, settings, adapter, 'f32');
  mergedGguf = (await mergeLoraAdapter({ base: tool.hf, adapter: join(dir, 'adapter'), out: join(dir, 'merged'), gguf: ['f32'] })).gguf[0];
});

/** Serves `args`, scores TEXT (per-token log-probabilities) and greedy-continues it, then stops the server. */
async function scoreWith(args: string[]): Promise<{ logprobs: number[]; text: string; banner: string; chatPromptTokens: number }> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [BIN, 'serve', ...args, '--port', '0', '--sequences', '1', '--ctx-size', '256', '--kv-cache-type', 'f32', '--no-flash-attention'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((res, rej) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/\S+)\/v1/.exec(out);
      if (m) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`puyu serve exited with ${code}: ${out}${err}`)));
  });
  try {
    const post = async (body: object) =>
      (await (
        await fetch(`${url}/v1/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as CompletionBody;
    const scored = await post({ prompt: TEXT, echo: true, logprobs: 1, max_tokens: 0 });
    const lp = scored.choices[0].logprobs?.token_logprobs ?? [];
    const greedy = await post({ prompt: TEXT, max_tokens: 12, temperature: 0, ignore_eos: true });
    // A chat with no system turn: its prompt length shows whether the default system prompt went in.
    const chat = (await (
      await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 2 + 3?' }], max_tokens: 1, temperature: 0 }),
      })
    ).json()) as { usage: { prompt_tokens: number } };
    return {
      logprobs: lp.filter((x): x is number => x !== null),
      text: greedy.choices[0].text,
      banner: out,
      chatPromptTokens: chat.usage.prompt_tokens,
    };
  } finally {
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await exited;
  }
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(Math.exp(x) - Math.exp(b[i]))));

describe('puyu serve --lora', () => {
  it('serves base + adapter: scores match the merged model (|Δp| ≤ 1e-3) and differ from the base', async () => {
    const withLora = await scoreWith([base, '--lora', `${adapterGguf},1`]);
    const merged = await scoreWith([mergedGguf]);
    const plain = await scoreWith([base]);
    expect(withLora.banner).toContain(`LoRA ${adapterGguf}×1`);
    expect(withLora.logprobs.length).toBeGreaterThan(10);
    expect(withLora.logprobs.length).toBe(merged.logprobs.length);
    const vsMerged = maxDiff(withLora.logprobs, merged.logprobs);
    const vsBase = maxDiff(withLora.logprobs, plain.logprobs);
    console.log(
      `[serve-lora] ${withLora.logprobs.length} scored tokens: max |Δp| lora vs merged ${vsMerged.toExponential(3)}, lora vs base ${vsBase.toExponential(3)}; ` +
        `greedy: lora ${JSON.stringify(withLora.text)} merged ${JSON.stringify(merged.text)} base ${JSON.stringify(plain.text)}`,
    );
    expect(vsMerged).toBeLessThanOrEqual(1e-3);
    expect(withLora.text.length).toBeGreaterThan(0);
    expect(withLora.text).toBe(merged.text);
    expect(vsBase).toBeGreaterThan(1e-2);
    // Adapter and merged model were fine-tuned without InternLM2's default system prompt and say
    // so (GGUF puyu.chat.use_default_system_prompt = false); the pretrained base does not.
    expect(withLora.chatPromptTokens).toBe(merged.chatPromptTokens);
    expect(plain.chatPromptTokens - withLora.chatPromptTokens).toBeGreaterThan(100);
  });

  it('refuses a missing adapter with SERVE_BAD_LORA and a bad scale with CLI_BAD_OPTION', async () => {
    const { spawnSync } = await import('node:child_process');
    const missing = spawnSync(process.execPath, [BIN, 'serve', base, '--port', '0', '--lora', '/nowhere/adapter.gguf'], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('SERVE_BAD_LORA');
    const badScale = spawnSync(process.execPath, [BIN, 'serve', base, '--port', '0', '--lora', `${adapterGguf},x`], { encoding: 'utf8' });
    expect(badScale.status).toBe(2);
    expect(badScale.stderr).toContain('CLI_BAD_OPTION');
  });
});
