import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStudioApp } from './app.js';
import { parseCsv } from './routes/evaluation/csv.js';
import { sampleInSubset } from './routes/evaluation/index.js';
import { parsePrometheus } from './routes/serving/prometheus.js';
import { MetricsTail } from './routes/training/metricsTail.js';
import { scanRuns } from './runs.js';

const root = mkdtempSync(join(tmpdir(), 'puyu-studio-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const row = (step: number, extra: Record<string, number> = {}) =>
  `${JSON.stringify({ step, loss: 8 - step / 10, lr: 1e-3, grad_norm: 1, tokens: step * 1024, tokens_per_s: 2048, ...extra })}\n`;

/** A run tree as quickstart + eval write it: data shard → pretrain run → eval run on its GGUF. */
function makeRuns() {
  const q = join(root, 'runs', 'qs');
  mkdirSync(join(q, 'pretrain', 'checkpoints', 'step-00000004'), { recursive: true });
  writeFileSync(join(q, 'corpus.ptok'), 'x');
  writeFileSync(join(q, 'pretrain.json'), JSON.stringify({ output: { dir: 'pretrain' }, train: { steps: 8 } }));
  writeFileSync(join(q, 'pretrain', 'metrics.jsonl'), row(1) + row(2) + row(3, { val_loss: 7.5 }) + row(4));
  writeFileSync(
    join(q, 'pretrain', 'checkpoints', 'step-00000004', 'manifest.json'),
    JSON.stringify({ step: 4, fingerprint: { data: { files: [{ role: 'train', path: join(q, 'corpus.ptok') }] } } }),
  );
  writeFileSync(join(q, 'pretrain', 'model-f32.gguf'), 'gguf');
  // a `puyu data run` output folder whose kept documents an SFT run trains on
  const d = join(root, 'runs', 'corpus');
  mkdirSync(join(d, 'shard-00000'), { recursive: true });
  writeFileSync(join(d, 'report.md'), '# report');
  writeFileSync(join(d, 'shard-00000', 'part-00000.jsonl'), '{"text":"a"}\n');
  writeFileSync(join(d, 'shard-00000', '.done.json'), JSON.stringify({ read: 3, kept: 1, outputs: ['shard-00000/part-00000.jsonl'] }));
  mkdirSync(join(q, 'sft', 'checkpoints', 'step-00000002'), { recursive: true });
  writeFileSync(join(q, 'sft', 'metrics.jsonl'), row(1) + row(2));
  writeFileSync(join(q, 'sft', 'model-f16.gguf'), 'gguf');
  writeFileSync(
    join(q, 'sft', 'checkpoints', 'step-00000002', 'manifest.json'),
    JSON.stringify({ step: 2, fingerprint: { data: { files: [{ role: 'train', path: join(d, 'shard-00000', 'part-00000.jsonl') }] } } }),
  );
  const e = join(root, 'runs', 'eval-1');
  mkdirSync(e, { recursive: true });
  writeFileSync(
    join(e, 'run.json'),
    JSON.stringify({
      status: 'done',
      results: [{ model: 'm', dataset: 'gsm8k', score: 33.33, metric: 'accuracy', scoredFile: 's.jsonl' }],
      config: { models: [`local:${join(q, 'pretrain', 'model-f32.gguf')}`] },
    }),
  );
  writeFileSync(join(e, 'summary.csv'), 'dataset,metric,mode,n,m\ngsm8k,accuracy,gen,3,33.33\n');
  const n = join(root, 'runs', 'needle');
  mkdirSync(n, { recursive: true });
  writeFileSync(
    join(n, 'run.json'),
    JSON.stringify({
      status: 'done',
      results: [{ model: 'm', dataset: 'needlebench', score: 50, metric: 'score', scoredFile: 'n.jsonl' }],
    }),
  );
  const cell = (length: number, depth: number, score: number) =>
    JSON.stringify({ id: `${length}/${depth}`, score, detail: { kind: 'single', language: 'en', length, depth } });
  writeFileSync(
    join(n, 'n.jsonl'),
    [cell(1000, 0, 1), cell(1000, 50, 0), cell(2000, 0, 1), cell(2000, 50, 1), cell(2000, 50, 0)].join('\n'),
  );
  return join(root, 'runs');
}

describe('Studio server', () => {
  const runsDir = makeRuns();
  const app = createStudioApp({
    runsDir,
    endpoints: ['http://127.0.0.1:9/v1'],
    web: join(root, 'no-web'),
    dataRoot: join(root, 'no-data'),
  });

  it('finds data, training and eval runs and links each input to the run that wrote it', async () => {
    const runs = await scanRuns(runsDir);
    expect(runs.map((r) => [r.id, r.stage, r.status])).toEqual([
      ['corpus', 'data', 'done'],
      ['eval-1', 'eval', 'done'],
      ['needle', 'eval', 'done'],
      ['qs', 'data', 'done'],
      ['qs/pretrain', 'pretrain', 'done'],
      ['qs/sft', 'pretrain', 'done'],
    ]);
    const corpus = runs.find((r) => r.id === 'corpus')!;
    expect(corpus.facts).toEqual({ shards: 1, read: 3, kept: 1 });
    expect(corpus.outputs.map((o) => o.role)).toEqual(['documents', 'report']);
    expect(corpus.usedBy).toEqual(['qs/sft']);
    const pre = runs.find((r) => r.id === 'qs/pretrain')!;
    expect(pre.inputs.find((i) => i.role === 'train')?.run).toBe('qs');
    expect(pre.usedBy).toEqual(['eval-1']);
    expect(pre.facts).toMatchObject({ step: 4, planned_steps: 8 });
    expect(runs.find((r) => r.id === 'qs')!.usedBy).toEqual(['qs/pretrain']);
  });

  it('answers metrics and summaries from the files, and refuses paths outside the runs folder', async () => {
    const m = (await (await app.request('/api/training/metrics?run=qs/pretrain')).json()) as {
      rows: { step: number }[];
      plannedSteps: number;
    };
    expect(m.rows.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(m.plannedSteps).toBe(8);
    const ev = (await (await app.request('/api/evaluation/run?run=eval-1')).json()) as { summary: string[][] };
    expect(ev.summary[1]).toEqual(['gsm8k', 'accuracy', 'gen', '3', '33.33']);
    const needle = (await (await app.request('/api/evaluation/needle?run=needle')).json()) as {
      grids: { lengths: number[]; depths: number[]; values: number[][] }[];
    };
    expect(needle.grids).toEqual([
      {
        title: 'm · NeedleBench single-en',
        lengths: [1000, 2000],
        depths: [0, 50],
        values: [
          [100, 100],
          [0, 50],
        ],
      },
    ]);
    const out = await app.request('/api/models/inspect?path=../../etc/passwd');
    expect(out.status).toBe(403);
    expect(((await out.json()) as { error: { code: string } }).error.code).toBe('STUDIO_PATH_OUTSIDE_RUNS');
    const missing = await app.request('/api/training/metrics?run=nope');
    expect(missing.status).toBe(404);
    expect((await app.request('/training')).status).toBe(500); // not built: the page says how to build it
  });

  it('refuses bad evaluation requests with a coded 400 before starting anything', async () => {
    const post = (body: unknown) => app.request('/api/evaluation/start', { method: 'POST', body: JSON.stringify(body) });
    for (const [body, text] of [
      [{}, 'name the model'],
      [{ model: 'qs/pretrain/model-f32.gguf' }, 'at least one dataset'],
      [{ model: 'qs/pretrain/model-f32.gguf', datasets: ['gsm8k'], limit: 0 }, 'limit must be'],
      [{ model: 'qs/pretrain/model-f32.gguf', datasets: ['gsm8k'], name: '../../x' }, 'letters, digits'],
      [{ model: '../../etc/passwd', datasets: ['gsm8k'] }, 'outside the runs folder'],
      [{ model: 'qs/pretrain/model-f32.gguf', datasets: ['gsm8k'] }, 'no benchmark files'],
    ] as const) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(text);
    }
    expect(((await (await app.request('/api/evaluation/jobs')).json()) as { jobs: unknown[] }).jobs).toEqual([]);
  });

  it('needs the token when one is set, and takes it from ?token= into a cookie', async () => {
    const locked = createStudioApp({ runsDir, endpoints: [], token: 'sesame', web: join(root, 'no-web') });
    expect((await locked.request('/api/runs')).status).toBe(401);
    expect((await locked.request('/api/runs', { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    const first = await locked.request('/?token=sesame');
    expect(first.status).toBe(302);
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    expect((await locked.request('/api/runs', { headers: { cookie } })).status).toBe(200);
  });

  it('follows metrics.jsonl: only whole lines, and starts over when the file is replaced', async () => {
    const path = join(root, 'tail.jsonl');
    writeFileSync(path, row(1));
    const tail = new MetricsTail(path);
    expect((await tail.poll()).rows.map((r) => r.step)).toEqual([1]);
    appendFileSync(path, row(2).slice(0, 10));
    expect((await tail.poll()).rows).toEqual([]);
    appendFileSync(path, row(2).slice(10));
    expect((await tail.poll()).rows.map((r) => r.step)).toEqual([2]);
    writeFileSync(`${path}.tmp`, row(1));
    renameSync(`${path}.tmp`, path);
    const after = await tail.poll();
    expect(after.reset).toBe(true);
    expect(after.rows.map((r) => r.step)).toEqual([1]);
  });

  it('parses CSV, Prometheus text and subset names', () => {
    expect(parseCsv('a,"b,""c"""\r\n1,2\n')).toEqual([
      ['a', 'b,"c"'],
      ['1', '2'],
    ]);
    const p = parsePrometheus('# HELP x y\npuyu_requests_total{route="/v1/chat/completions",status="200"} 3\nh_bucket{le="+Inf"} 2\n');
    expect(p).toEqual([
      { name: 'puyu_requests_total', labels: { route: '/v1/chat/completions', status: '200' }, value: 3 },
      { name: 'h_bucket', labels: { le: '+Inf' }, value: 2 },
    ]);
    expect(sampleInSubset('mmlu/anatomy/test/1', 'lukaemon_mmlu_anatomy')).toBe(true);
    expect(sampleInSubset('bbh/navigate/3', 'bbh-navigate')).toBe(true);
    expect(sampleInSubset('mmlu/virology/test/1', 'lukaemon_mmlu_anatomy')).toBe(false);
  });
});
