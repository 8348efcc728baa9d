import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { alwaysAReply, type OpenAIPeer, oracleReply, sharedDataPath, startOpenAIPeer } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataset } from '../datasets/registry.js';
import { collectRuns } from '../leaderboard/collectRuns.js';
import { leaderboardHtml } from '../leaderboard/leaderboardPage.js';
import { runNeedleBench } from '../needlebench/runNeedleBench.js';
import { runConfigSchema } from '../runner/RunConfig.js';
import { runEval } from '../runner/runEval.js';
import { decodePng } from './test-fixtures/decodePng.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping report screenshot tests: ${CHROMIUM} not found (apt-get install -y chromium)`);

const dataRoot = sharedDataPath();
const hasData = existsSync(dataRoot);
if (!hasData) console.warn(`skipping report screenshot tests: ${dataRoot} not found (needs ../shared/datasets)`);

describe.skipIf(!hasChromium || !hasData)('reports in headless Chromium', () => {
  const peers: OpenAIPeer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'puyu-report-browser-'));
  // biome-ignore lint/suspicious/noExplicitAny: playwright-core is loaded lazily so the suite runs without it installed
  let browser: any;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  /** Opens a file, fails on any console error / page error / failed request, returns a full-page screenshot. */
  async function open(path: string): Promise<{ shot: Buffer; page: unknown; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e: Error) => errors.push(e.message));
    page.on('requestfailed', (r: { url(): string }) => errors.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    const shot: Buffer = await page.screenshot({ fullPage: true });
    return { shot, page, errors };
  }

  it('the run report and NeedleBench heatmaps render with no console errors', async () => {
    const known = [...(await getDataset('arc-challenge').load({ root: dataRoot, limit: 20 }))];
    const oracle = await startOpenAIPeer(oracleReply(known));
    const reader = await startOpenAIPeer((r) => {
      const code = /[A-Z]+-\d{4}/.exec(r.prompt.split(/Question: |问题：/)[0]);
      return code ? `It is ${code[0]}.` : 'No idea.';
    });
    const alwaysA = await startOpenAIPeer(alwaysAReply());
    peers.push(oracle, reader, alwaysA);
    const run = await runEval(
      runConfigSchema.parse({
        models: [`${oracle.url}@oracle`, `${alwaysA.url}@always-a`],
        datasets: [{ name: 'arc-challenge', limit: 20 }],
        dataRoot,
        outDir: join(dir, 'run'),
      }),
      { progress: { silent: true } },
    );
    const { shot, page, errors } = await open(join(run.outDir, 'report.html'));
    expect(errors).toEqual([]);
    writeFileSync(join(dir, 'report.png'), shot);
    const img = decodePng(shot);
    expect(img.width).toBe(1200);
    // The bar chart is drawn: Okabe–Ito blue (oracle) and orange (always-a) bars are on screen.
    const count = (rgb: number[]) => {
      let n = 0;
      for (let i = 0; i < img.width * img.height; i++)
        if (img.rgba[i * 4] === rgb[0] && img.rgba[i * 4 + 1] === rgb[1] && img.rgba[i * 4 + 2] === rgb[2]) n++;
      return n;
    };
    expect(count([0x00, 0x72, 0xb2])).toBeGreaterThan(16 * 150);
    expect(count([0xe6, 0x9f, 0x00])).toBeGreaterThan(16 * 10);
    // biome-ignore lint/suspicious/noExplicitAny: see above
    expect(await (page as any).locator('table').first().textContent()).toContain('always-a');

    const nb = await runNeedleBench(
      { models: [`${reader.url}@reader`], outDir: join(dir, 'needle'), concurrency: 4, shardSize: 50, dataRoot: '', limit: undefined },
      { haystacks: { en: join(dataRoot, 'paulgraham-essays') }, lengths: [300, 600], depths: [0, 50, 100] },
      { progress: { silent: true } },
    );
    const needle = await open(join(nb.outDir, 'report.html'));
    expect(needle.errors).toEqual([]);
    // A perfect reader → every heatmap cell is the full-score green.
    const hm = decodePng(needle.shot);
    let green = 0;
    for (let i = 0; i < hm.width * hm.height; i++)
      if (hm.rgba[i * 4] === 26 && hm.rgba[i * 4 + 1] === 152 && hm.rgba[i * 4 + 2] === 80) green++;
    expect(green).toBeGreaterThan(6 * 30 * 30);
  });

  it('the leaderboard page renders with no console errors', async () => {
    const known = await getDataset('arc-challenge').load({ root: dataRoot, limit: 20 });
    const oracle = await startOpenAIPeer(oracleReply(known));
    const alwaysA = await startOpenAIPeer(alwaysAReply());
    peers.push(oracle, alwaysA);
    const r = await runEval(
      runConfigSchema.parse({
        models: [`${oracle.url}@oracle`, `${alwaysA.url}@always-a`],
        datasets: [{ name: 'arc-challenge', limit: 20 }],
        dataRoot,
        outDir: join(dir, 'board-run'),
      }),
      { progress: { silent: true } },
    );
    const html = join(dir, 'board.html');
    writeFileSync(html, leaderboardHtml(collectRuns([r.outDir])));
    const { shot, errors } = await open(html);
    expect(errors).toEqual([]);
    writeFileSync(join(dir, 'board.png'), shot);
    expect(decodePng(shot).height).toBeGreaterThan(300);
  });
});
