// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators; innerText() is the rendered text a reader sees, which is what the checks compare
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLineage } from '@puyu/core/lineage';
import { loadTokenizer } from '@puyu/formats';
import { inspectModel } from '@puyu/model';
import { makeToolModel, SYSTEM, sharedDataRoot, WEATHER_TOOL } from '@puyu/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStudio, startStudio } from '../server/index.js';
import { parseCsv } from '../server/routes/evaluation/csv.js';
import {
  CHROMIUM,
  endpointDefaultIn,
  freePort,
  openPage,
  type Proc,
  puyu,
  SHOTS,
  shot,
  skipReason,
  throttleDownloads,
  until,
} from './harness.js';

// The Studio in a real browser (Debian's Chromium through playwright-core) on a real chain:
// `puyu quickstart --fast` trains while the training page watches, an evaluation started
// from the page scores its GGUF on GSM8K and MMLU, and `puyu serve` answers the chat page.
const skip = skipReason();
if (skip) console.warn(`skipping the Studio browser suite: ${skip}`);
const DATA = sharedDataRoot();
if (!skip && !DATA) console.warn('Studio browser suite: ../shared/datasets not found, so the evaluation page checks skip');

const PAGES = ['', 'training', 'chat', 'evaluation', 'models', 'serving'] as const;
let root = '';
let runs = '';
let browser: Browser;
let studio: RunningStudio;
let serve: Proc | undefined;
let toolServe: Proc | undefined;
let quickstart: Proc;
let servePort = 0;
const shots: string[] = [];
const metricsPath = () => join(runs, 'quickstart', 'pretrain', 'metrics.jsonl');
const gguf = () => join(runs, 'quickstart', 'pretrain', 'model-q8_0.gguf');
const url = (p: string) => `${studio.url}/${p}`;

beforeAll(async () => {
  if (skip) return;
  root = await mkdtemp(join(tmpdir(), 'puyu-studio-browser-'));
  runs = join(root, 'runs');
  quickstart = puyu(['quickstart', '--fast', '--no-wait', '--port', '0', '--studio-port', '0', '--out', join(runs, 'quickstart')]);
  servePort = await freePort();
  await until('the runs folder', () => existsSync(runs) || undefined, 60_000);
  studio = await startStudio({ runsDir: runs, port: 0, endpoints: [`http://127.0.0.1:${servePort}/v1`], dataRoot: DATA ?? undefined });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await serve?.stop();
  await toolServe?.stop();
  await quickstart?.stop();
  if (root) await rm(root, { recursive: true, force: true });
  if (shots.length) console.log(`Studio screenshots (${SHOTS}):\n  ${shots.join('\n  ')}`);
});

describe.skipIf(!!skip)('Puyu Studio in Chromium', () => {
  it('the training chart gains points live while puyu quickstart is training', async () => {
    await until('metrics.jsonl', () => existsSync(metricsPath()) || undefined, 180_000);
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url('training?run=quickstart%2Fpretrain'));
    const chart = page.getByTestId('loss-chart');
    const points = async () => Number((await chart.getAttribute('data-points')) ?? 0);
    await until('a first point on the chart', async () => ((await points()) > 0 ? true : undefined), 120_000);
    const seen = [await points()];
    // Two more increases while the run is still writing: the page is fed by SSE, not by reloads.
    for (let k = 0; k < 2; k++) {
      const before = seen.at(-1)!;
      seen.push(await until('more points', async () => ((await points()) > before ? points() : undefined), 120_000));
    }
    const fileSteps = readFileSync(metricsPath(), 'utf8').trim().split('\n').length;
    expect(seen[2]).toBeGreaterThan(seen[0]);
    expect(fileSteps).toBeLessThanOrEqual(40);
    shots.push(await shot(page, 'training-live'));
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('after the run: quickstart finished; puyu serve answers, and an evaluation started from the page runs with live progress', async () => {
    expect(await quickstart.exited, quickstart.out()).toBe(0);
    serve = puyu(['serve', gguf(), '--port', String(servePort), '--ctx-size', '1024', '--sequences', '2', '--name', 'quickstart']);
    if (DATA) {
      const { page, errors } = await openPage(browser, 'en');
      await page.goto(url('evaluation'));
      await page.getByTestId('start-run').locator('summary').click();
      await page.getByTestId('start-model').selectOption(gguf());
      await page.getByTestId('start-datasets').fill('gsm8k,mmlu');
      await page.getByTestId('start-limit').fill('3');
      await page.getByTestId('start-max-tokens').fill('24');
      await page.getByTestId('start-name').fill('eval-1');
      await page.getByTestId('start-button').click();
      const job = page.getByTestId('job-eval-1');
      const progress: string[] = [];
      await until(
        'the page-started evaluation',
        async () => {
          const text = await job.innerText().catch(() => '');
          if (text && text !== progress.at(-1)) progress.push(text);
          return (await job.getAttribute('data-status').catch(() => null)) === 'done' || undefined;
        },
        420_000,
      );
      expect(progress.some((p) => /\b\d+\/\d+\b/.test(p))).toBe(true);
      shots.push(await shot(page, 'evaluation-started'));
      expect(existsSync(join(runs, 'eval-1', 'summary.csv'))).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    }
    await until(
      'puyu serve',
      async () => (await fetch(`http://127.0.0.1:${servePort}/health`).catch(() => undefined))?.ok || undefined,
      120_000,
    );
  }, 600_000);

  it('every page loads in both languages with no console errors and no untranslated key', async () => {
    for (const lang of ['en', 'zh'] as const) {
      for (const p of PAGES) {
        const { page, errors } = await openPage(browser, lang);
        await page.goto(url(p));
        await page.locator('main h1').waitFor();
        // not 'networkidle': the training page holds an SSE stream open and the serving page polls
        await until(`/${p} loaded`, async () => ((await page.locator('main [role=status]').count()) === 0 ? true : undefined), 30_000);
        const text = await page.locator('main').innerText();
        if (lang === 'zh') expect(text, `/${p} in Chinese`).toMatch(/[\u4e00-\u9fff]/);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        shots.push(await shot(page, `${p || 'overview'}-${lang}`));
        expect(errors, `/${p} (${lang})`).toEqual([]);
        await page.close();
      }
    }
  }, 300_000);

  it('the chain overview lists the real runs, linked, with the run’s own numbers', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url(''));
    const last = JSON.parse(readFileSync(metricsPath(), 'utf8').trim().split('\n').at(-1)!) as { step: number };
    const row = page.locator('tr[data-run="quickstart/pretrain"]');
    await row.waitFor();
    expect(await row.innerText()).toContain(`step: ${last.step}`);
    // the data pipeline's output folder: its kept documents are the pretraining's training files
    expect(await page.locator('tr[data-run="quickstart/data/corpus"]').innerText()).toContain('quickstart/pretrain'); // used by
    if (DATA) expect(await page.locator('tr[data-run="eval-1"]').innerText()).toContain('quickstart/pretrain'); // its model input
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the chain page draws the lineage graph from the manifests: raw inputs left, each node with its kind, hash and scores', async () => {
    // A chain of its own, written with the real manifest writer (quickstart's manifests, if any, join it).
    const d = join(runs, 'lineage-demo');
    await mkdir(join(d, 'tokenizer'), { recursive: true });
    await mkdir(join(d, 'eval'), { recursive: true });
    await writeFile(join(d, 'raw.txt'), 'war and peace\n');
    await writeFile(join(d, 'corpus.jsonl'), '{"text":"war and peace"}\n');
    await writeLineage(join(d, 'corpus.jsonl'), { kind: 'corpus', command: 'puyu data run recipe.json', parents: [join(d, 'raw.txt')] });
    await writeFile(join(d, 'tokenizer', 'tokenizer.model'), 'spm');
    await writeLineage(join(d, 'tokenizer'), { kind: 'tokenizer', command: 'puyu tokenizer train', parents: [join(d, 'corpus.jsonl')] });
    await writeFile(join(d, 'model.gguf'), 'gguf');
    const gg = await writeLineage(join(d, 'model.gguf'), {
      kind: 'gguf',
      command: 'puyu quantize hf model.gguf',
      parents: [join(d, 'corpus.jsonl'), join(d, 'tokenizer')],
    });
    await writeFile(join(d, 'eval', 'summary.csv'), 'dataset,score\ngsm8k,33.33\n');
    await writeLineage(join(d, 'eval'), {
      kind: 'eval',
      command: 'puyu eval run',
      parents: [join(d, 'model.gguf')],
      metrics: { gsm8k: 33.33 },
    });

    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url(''));
    const node = (id: string) => page.locator(`[data-testid=lineage-node][data-node="lineage-demo/${id}"]`);
    await node('eval').waitFor();
    const kinds = await page
      .getByTestId('lineage-node')
      .evaluateAll((ns) => Object.fromEntries(ns.map((n) => [n.getAttribute('data-node'), n.getAttribute('data-kind')])));
    expect(kinds).toMatchObject({
      'lineage-demo/raw.txt': 'raw',
      'lineage-demo/corpus.jsonl': 'corpus',
      'lineage-demo/tokenizer': 'tokenizer',
      'lineage-demo/model.gguf': 'gguf',
      'lineage-demo/eval': 'eval',
    });
    expect(await node('eval').innerText()).toContain('gsm8k: 33.33');
    expect(await node('model.gguf').innerText()).toContain(gg.hash.slice(0, 12));
    // left to right by depth: raw → corpus → tokenizer → GGUF → eval
    const xs: number[] = [];
    for (const id of ['raw.txt', 'corpus.jsonl', 'tokenizer', 'model.gguf', 'eval']) xs.push((await node(id).boundingBox())!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(5);
    const graph = page.getByTestId('lineage-graph');
    await until('every edge drawn', async () =>
      (await page.locator('.react-flow__edge').count()) === Number(await graph.getAttribute('data-edges')) ? true : undefined,
    );
    await node('model.gguf').click();
    const detail = page.getByTestId('lineage-detail');
    expect(await detail.getByTestId('lineage-command').innerText()).toBe('puyu quantize hf model.gguf');
    expect(await detail.getByTestId('lineage-hash').innerText()).toBe(gg.hash);
    await detail.locator('[data-testid=lineage-chain][data-status=recorded][data-problems="0"]').waitFor();
    // the clicked artefact's chain is marked on the graph: everything it came from, nothing made from it
    expect(await node('raw.txt').getAttribute('data-chain')).toBe('raw');
    expect(await node('tokenizer').getAttribute('data-chain')).toBe('recorded');
    expect(await node('eval').getAttribute('data-chain')).toBeNull();
    shots.push(await shot(page, 'overview-lineage'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the loss curve’s last point equals the last line of metrics.jsonl', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url('training?run=quickstart%2Fpretrain'));
    const lines = readFileSync(metricsPath(), 'utf8').trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { step: number; loss: number };
    const holder = page.getByTestId('loss-last');
    await until('the whole curve', async () =>
      (await page.getByTestId('loss-chart').getAttribute('data-points')) === String(lines.length) ? true : undefined,
    );
    expect(JSON.parse((await holder.getAttribute('data-last'))!)).toEqual({ step: last.step, loss: last.loss });
    const planned = (JSON.parse(readFileSync(join(runs, 'quickstart', 'pretrain.json'), 'utf8')) as { train: { steps: number } }).train
      .steps;
    expect(await page.getByTestId('stat-step').innerText()).toContain(`${last.step} / ${planned}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the chat page streams an answer from the live puyu serve, with token counts and TTFT', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url('chat'));
    await until('the served model', async () => ((await page.getByTestId('model').inputValue()) === 'quickstart' ? true : undefined));
    await page.getByTestId('calculator').uncheck(); // the tiny pretrained model knows no tools
    // 160 tokens arrive as many network reads, so the bubble renders several drafts even when React
    // batches a few deltas together (at 24 tokens a fast machine showed only 2), and even in a run
    // where the throttle below did not take hold: one run of 48 tokens, on the direct decode loop,
    // came whole in 2.5 s of test, one draft, where a throttled stream takes 2 s by itself.
    await page.getByTestId('max-tokens').fill('160');
    // greedy: a sampled answer sometimes ends after a dozen tokens (one draft, whatever the throttle)
    await page.getByTestId('temperature').fill('0');
    await page.getByTestId('chat-input').fill('What is war?');
    // Record every text the streaming bubble shows: more than one means it streamed.
    await page.evaluate(`
      window.drafts = [];
      new MutationObserver(() => {
        const d = document.querySelector('[data-testid=draft]');
        if (d && d.textContent !== window.drafts.at(-1)) window.drafts.push(d.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    `);
    // About 50 kB of SSE at 8 kB/s: six seconds, many reads, whatever the machine's speed.
    await throttleDownloads(page, 8_000);
    await page.getByTestId('send').click();
    const answer = page.locator('.msg.assistant[data-role=assistant]');
    await answer.waitFor({ timeout: 120_000 });
    const drafts = (await page.evaluate('window.drafts')) as string[];
    expect(drafts.length).toBeGreaterThan(1);
    const stats = await answer.getByTestId('chat-stats').innerText();
    const m = /completion (\d+) tok · TTFT (\d+) ms/.exec(stats);
    expect(m, stats).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    shots.push(await shot(page, 'chat-answer'));
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('tools defined in the page: a model’s tool call shows as a card, and the result typed there goes back to it', async () => {
    // A tiny InternLM2 that learnt get_weather calls by heart (@puyu/testing; cached after the model suite made it).
    const { gguf: toolGguf } = await makeToolModel();
    // Port 0 and the address the server prints: a port picked beforehand can be taken by another
    // test file's server before this one binds it, and the health check would then reach that one.
    toolServe = puyu(['serve', toolGguf, '--port', '0', '--ctx-size', '1024', '--sequences', '1', '--name', 'tool']);
    const server = toolServe;
    const toolBase = await until('the tool model server', () => /on (http:\/\/\S+)\/v1/.exec(server.out())?.[1], 120_000);
    const port = Number(new URL(toolBase).port);
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url('chat'));
    await endpointDefaultIn(page, 'endpoint');
    await page.getByTestId('endpoint').fill(`http://127.0.0.1:${port}/v1`);
    await page.getByTestId('model').fill('tool');
    await page.getByTestId('system').fill(SYSTEM);
    await page.getByTestId('temperature').fill('0');
    await page.getByTestId('calculator').uncheck();
    await page.getByTestId('custom-tools').fill(JSON.stringify([{ type: 'function', function: WEATHER_TOOL }]));
    await page.getByTestId('max-tokens').fill('96');
    await page.getByTestId('chat-input').fill('What is the weather in Shanghai?');
    await page.getByTestId('send').click();
    const card = page.getByTestId('tool-card').first();
    // The first of a card, a finished answer or an error: an answer without a call then fails at
    // once with what the model said and what the server printed, not after a silent timeout.
    const why = async (what: string) =>
      new Error(
        `${what}; the page shows:\n${await page.locator('main').innerText()}\n--- puyu serve printed:\n${server.out().slice(-3000)}`,
      );
    const settled = await page
      .locator('[data-testid=tool-card], .msg.assistant[data-role=assistant], [data-state=error]')
      .first()
      .waitFor({ timeout: 120_000 })
      .then(
        () => true,
        () => false,
      );
    if (!settled) throw await why('nothing came back within 120 s');
    if (!(await card.isVisible())) throw await why('no tool call card');
    const cardText = await card.innerText();
    expect(cardText).toContain('get_weather');
    expect(cardText).toContain('Shanghai');
    await page.getByTestId('tool-answer').first().fill('{"temperature_c": 21, "sky": "clear"}');
    await page.getByTestId('send-results').click();
    await until('the answer after the tool result', async () =>
      (await page.locator('.msg.assistant[data-role=assistant]').count()) >= 2 ? true : undefined,
    );
    expect(await page.getByTestId('tool-result').first().innerText()).toBe('{"temperature_c": 21, "sky": "clear"}');
    shots.push(await shot(page, 'chat-tool-card'));
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it.skipIf(!DATA)(
    'the evaluation page’s numbers equal summary.csv, and samples drill down to prompt/output/extracted/gold',
    async () => {
      const { page, errors } = await openPage(browser, 'en');
      await page.goto(url('evaluation?run=eval-1'));
      const table = page.getByTestId('summary-table');
      await table.waitFor();
      const csv = parseCsv(readFileSync(join(runs, 'eval-1', 'summary.csv'), 'utf8')).filter((r) => r.length > 1);
      const shown = await table
        .locator('tr')
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th,td')].map((c) => c.textContent ?? '')));
      expect(shown).toEqual(csv);
      await page.getByTestId('unit-0').click();
      const run = JSON.parse(readFileSync(join(runs, 'eval-1', 'run.json'), 'utf8')) as { results: { scoredFile: string }[] };
      const scored = readFileSync(join(runs, 'eval-1', run.results[0].scoredFile), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; gold: string; extracted: string | null });
      const rows = page.getByTestId('samples').locator('tr[data-sample]');
      await rows.first().waitFor();
      expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-sample')))).toEqual(scored.map((s) => s.id));
      const first = await rows.first().innerText();
      expect(first).toContain(scored[0].gold);
      shots.push(await shot(page, 'evaluation-samples'));
      await page.getByTestId('tab-leaderboard').click();
      await page.getByTestId('leaderboard').waitFor();
      expect(await page.getByTestId('leaderboard').innerText()).toContain('model-q8_0');
      shots.push(await shot(page, 'evaluation-leaderboard'));
      expect(errors).toEqual([]);
      await page.close();
    },
    120_000,
  );

  it('the models page shows model inspect’s numbers and the tokenizer playground round-trips', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url(`models?path=${encodeURIComponent(gguf())}`));
    const summary = await inspectModel(gguf());
    await page.getByTestId('stat-tensors').waitFor();
    expect(await page.getByTestId('stat-tensors').innerText()).toContain(String(summary.tensors.length));
    expect(await page.getByTestId('stat-params').innerText()).toContain(summary.parameterCount.toLocaleString('en-US'));
    const text = 'What is war? 床前明月光';
    await page.getByTestId('tok-text').fill(text);
    await page.getByTestId('tok-encode').click();
    await page.getByTestId('tok-ids').waitFor();
    const ids = loadTokenizer(join(runs, 'quickstart', 'pretrain', 'hf')).encode(text, { parseSpecial: true });
    expect(await page.getByTestId('tok-ids').innerText()).toBe(ids.join(', '));
    await page.getByRole('button', { name: 'Decode these ids' }).click();
    await page.getByTestId('tok-decode').click();
    await page.getByTestId('tok-decoded').waitFor();
    expect(await page.getByTestId('tok-decoded').innerText()).toBe(text);
    shots.push(await shot(page, 'models-inspect'));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the serving page shows the live /metrics of puyu serve', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(url('serving'));
    const metrics = await (await fetch(`http://127.0.0.1:${servePort}/metrics`)).text();
    const generated = Number(/^puyu_generation_tokens_total (\d+)/m.exec(metrics)![1]);
    expect(generated).toBeGreaterThan(0); // the chat test's answer
    await until(
      'the generated-token counter',
      async () =>
        (
          await page
            .getByTestId('stat-generated')
            .innerText()
            .catch(() => '')
        ).includes(generated.toLocaleString('en-US')) || undefined,
    );
    shots.push(await shot(page, 'serving'));
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
