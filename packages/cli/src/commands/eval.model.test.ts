import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OpenAIProvider } from '@puyu/client';
import { getDataset, PplInferencer, type RunSummary } from '@puyu/eval';
import { type RunningServer, startServer } from '@puyu/serve';
import { makeToolModel, sharedDataPath } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end: a real tiny InternLM2 GGUF served by @puyu/serve's engine, evaluated through the real
// `puyu` binary (local: models) and through the API against a running server.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const DATA = sharedDataPath();
const hasData = existsSync(DATA);
if (!hasData) console.warn(`skipping puyu eval on a served tiny model: ${DATA} not found (needs ../shared/datasets)`);

let gguf = '';
let server: RunningServer | undefined;
beforeAll(async () => {
  if (!hasData) return;
  ({ gguf } = await makeToolModel());
}, 300_000);
afterAll(async () => {
  await server?.close();
});

function puyu(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 280_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasData)('puyu eval on a served tiny model', () => {
  it('runs GSM8K, MMLU (gen and ppl) and one BBH task on a local: GGUF with no provider errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-eval-e2e-'));
    const config = join(dir, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        models: [`local:${gguf}`],
        datasets: [
          { name: 'gsm8k', limit: 3, maxTokens: 48 },
          { name: 'mmlu', limit: 3, maxTokens: 16 },
          { name: 'mmlu', limit: 3, inferencer: 'ppl' },
          { name: 'bbh', subsets: ['boolean_expressions'], limit: 3, maxTokens: 48 },
        ],
        dataRoot: DATA,
        outDir: join(dir, 'run'),
        concurrency: 2,
      }),
    );
    const r = puyu(['eval', 'run', config, '--quiet', '--local-ctx', '4096']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8')) as RunSummary;
    expect(run.status).toBe('done');
    expect(run.results.map((u) => [u.dataset, u.samples, u.errors])).toEqual([
      ['gsm8k', 3, 0],
      ['mmlu', 3, 0],
      ['mmlu:ppl', 3, 0],
      ['bbh', 3, 0],
    ]);
    const ppl = readFileSync(join(dir, 'run', 'predictions', 'model-f32', 'mmlu_ppl.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const p of ppl) {
      expect(p.choiceLogprobs).toHaveLength(4);
      for (const lp of p.choiceLogprobs) expect(Number.isFinite(lp) && lp < 0).toBe(true);
      expect(p.output).toBe('ABCD'[p.choiceLogprobs.indexOf(Math.max(...p.choiceLogprobs))]);
    }
    // MMLU's headline is OpenCompass's unweighted mean over the subjects that ran.
    expect(r.stdout).toContain('| mmlu:ppl | naive_average | ppl | 3 |');
    expect(existsSync(join(dir, 'run', 'report.html'))).toBe(true);
  });

  it('runs a short NeedleBench grid on a local: GGUF and draws the heatmaps', () => {
    const out = mkdtempSync(join(tmpdir(), 'puyu-needle-e2e-'));
    const r = puyu([
      'eval',
      'needlebench',
      '--models',
      `local:${gguf}`,
      '--haystack-en',
      join(DATA, 'paulgraham-essays'),
      '--lengths',
      '200,400',
      '--depths',
      '0,100',
      '--kinds',
      'single,multi',
      '--local-ctx',
      '1024',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| needlebench \| score \| gen \| 16 \|/);
    for (const f of ['single-en', 'multi-en', 'single-zh', 'multi-zh'])
      expect(existsSync(join(out, 'heatmaps', 'model-f32', `${f}.png`))).toBe(true);
  });

  it("ppl log-likelihoods agree with the server's own echo logprobs at token boundaries", async () => {
    server = await startServer({ model: gguf, port: 0, sequences: 2, contextSize: 2048, threads: 1 });
    const provider = new OpenAIProvider({ baseUrl: server.url, model: server.engine.modelName, api: 'completions' });
    const [sample] = await getDataset('mmlu').load({ root: DATA, limit: 1 });
    const template = getDataset('mmlu').template;
    const pred = await new PplInferencer().infer({ sample, shots: [], template, style: 'base' }, { provider });
    expect(pred.error).toBeUndefined();
    // Score the same texts independently: total(context + " X") − total(context) is the continuation's
    // logprob, with the context's trailing space moved onto the option (lm-eval's rule) so both end on a token boundary.
    const context = (pred.prompt as string).trimEnd();
    const moved = (pred.prompt as string).slice(context.length);
    expect(moved).toBe(' ');
    const total = async (text: string) => {
      const res = await fetch(`${server!.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', prompt: text, echo: true, logprobs: 1, max_tokens: 0 }),
      });
      const j = (await res.json()) as { choices: { logprobs: { token_logprobs: (number | null)[] } }[] };
      return j.choices[0].logprobs.token_logprobs.reduce<number>((a, v) => a + (v ?? 0), 0);
    };
    const base = await total(context);
    const conts = template.continuations!(sample);
    for (const [i, c] of conts.entries()) {
      const diff = (await total(context + moved + c)) - base;
      expect(pred.choiceLogprobs![i]).toBeCloseTo(diff, 3);
    }
  });

  it("@puyu/client's embeddings read the server's /v1/embeddings: one vector per input, in order, shortened on request", async () => {
    server ??= await startServer({ model: gguf, port: 0, sequences: 2, contextSize: 2048, threads: 1 });
    const provider = new OpenAIProvider({ baseUrl: server.url, model: server.engine.modelName });
    const r = await provider.embed(['床前明月光', 'The devil is in the details.', '床前明月光']);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.embeddings).toHaveLength(3);
    expect(r.embeddings[0].length).toBeGreaterThan(8);
    // Same text, same vector; different text, a different one.
    expect(r.embeddings[2]).toEqual(r.embeddings[0]);
    expect(r.embeddings[1]).not.toEqual(r.embeddings[0]);
    const short = await provider.embed(['床前明月光'], { dimensions: 8 });
    expect(short.ok && short.embeddings[0].length).toBe(8);
  });
});
