// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators; innerText() is the rendered text a reader sees
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASTREL_QUESTION, astrelScriptedReply, writeAstrelWeb } from '@puyu/agent/testing';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStudio, startStudio } from '../server/index.js';
import { CHROMIUM, endpointDefaultIn, freePort, openPage, type Proc, puyu, ROOT, SHOTS, shot, skipReason, until } from './harness.js';

// The agent and MindSearch pages in Chromium. The agent page drives the calculator SFT model
// (the committed fixture made by `puyu train sft recipes/sft-calculator.json`) served by `puyu serve`: the
// transcript is checked (call → result → final answer), not the answer's arithmetic. The
// MindSearch page runs on the generated local web @puyu/agent's tests use, searched by the local
// BM25 backend, with the scripted planner/searcher/writer of those tests standing in for the model
// (a 1.3M-parameter model cannot plan), each request delayed so parallel searchers show.
const skip = skipReason();
if (skip) console.warn(`skipping the agent pages' browser suite: ${skip}`);
// The committed calculator chat model (packages/testing/fixtures/calculator-chat/README.md).
const CALC_GGUF = join(ROOT, 'packages/testing/fixtures/calculator-chat/model-q8_0.gguf');
const hasCalc = existsSync(CALC_GGUF);
if (!skip && !hasCalc) console.warn(`agent page: ${CALC_GGUF} not found, so its model check skips`);

let root = '';
let web = '';
let browser: Browser;
let studio: RunningStudio;
let serve: Proc | undefined;
let peer: OpenAIPeer;
let calcUrl = '';
let slowCalc: Server | undefined;
const shots: string[] = [];

beforeAll(async () => {
  if (skip) return;
  root = await mkdtemp(join(tmpdir(), 'puyu-studio-agent-'));
  web = join(root, 'web');
  mkdirSync(web);
  mkdirSync(join(root, 'runs'));
  writeAstrelWeb(web);
  peer = await startOpenAIPeer((r) => ({ delayMs: 250, reply: astrelScriptedReply(r) }));
  if (hasCalc) {
    const port = await freePort();
    calcUrl = `http://127.0.0.1:${port}/v1`;
    serve = puyu(['serve', CALC_GGUF, '--port', String(port), '--ctx-size', '1024', '--sequences', '1', '--name', 'calc']);
  }
  // The Studio reaches the served model through a proxy that answers each request 400 ms late: the
  // model's second turn takes a few milliseconds, so the call, its result and the final answer could
  // otherwise leave the Studio in one write and render once (CI saw "0:0: 1:1:final" even with the
  // page's downloads throttled, which delays reads but does not split them).
  const studioCalcUrl = calcUrl ? await delayingProxy(calcUrl, 400) : '';
  studio = await startStudio({ runsDir: join(root, 'runs'), port: 0, endpoints: [studioCalcUrl || peer.url] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

/** An HTTP proxy to `target` (an OpenAI base URL) that starts forwarding each request `delayMs` late; its base URL. */
async function delayingProxy(target: string, delayMs: number): Promise<string> {
  const t = new URL(target);
  slowCalc = createServer((req, res) => {
    setTimeout(() => {
      const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    }, delayMs);
  });
  await new Promise<void>((resolve) => slowCalc?.listen(0, '127.0.0.1', resolve));
  const address = slowCalc.address();
  if (!address || typeof address === 'string') throw new Error('the delaying proxy has no port');
  return `http://127.0.0.1:${address.port}/v1`;
}

afterAll(async () => {
  slowCalc?.close();
  await browser?.close();
  await studio?.close();
  await serve?.stop();
  await peer?.close();
  if (root) await rm(root, { recursive: true, force: true });
  if (shots.length) console.log(`agent page screenshots (${SHOTS}):\n  ${shots.join('\n  ')}`);
});

describe.skipIf(!!skip)('the agent and MindSearch pages in Chromium', () => {
  it.skipIf(!hasCalc)(
    'the agent page: the served calculator model calls the calculator, the result comes back, a final answer follows, step by step',
    async () => {
      await until(
        'puyu serve',
        async () => (await fetch(`${calcUrl.replace(/\/v1$/, '')}/health`).catch(() => undefined))?.ok || undefined,
      );
      const { page, errors } = await openPage(browser, 'en');
      await page.goto(`${studio.url}/agent`);
      await until('the served model', async () => ((await page.getByTestId('agent-model').inputValue()) === 'calc' ? true : undefined));
      await page.getByTestId('agent-max-tokens').fill('160');
      // Record every state the run passes through: steps must appear one by one, not all at the end.
      await page.evaluate(`
        window.seen = [];
        new MutationObserver(() => {
          const run = document.querySelector('[data-testid=agent-run]');
          if (!run) return;
          const s = run.querySelectorAll('[data-testid=agent-tool-call]').length + ':' + run.querySelectorAll('[data-testid=agent-tool-result]').length + ':' + (run.querySelector('[data-testid=agent-final]') ? 'final' : '');
          if (s !== window.seen.at(-1)) window.seen.push(s);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      `);
      await page.getByTestId('agent-input').fill('What does 24-17 equal?');
      await page.getByTestId('agent-send').click();
      const final = page.getByTestId('agent-final');
      await final.waitFor({ timeout: 180_000 });
      const call = page.getByTestId('agent-tool-call').first();
      expect(await call.getAttribute('data-tool')).toBe('calculator');
      const args = JSON.parse(await call.getByTestId('agent-tool-args').innerText()) as { expression?: unknown };
      expect(typeof args.expression).toBe('string');
      const result = call.getByTestId('agent-tool-result');
      expect(await result.getAttribute('data-ok')).toBe('true');
      expect(await result.innerText()).toMatch(/"result":/);
      // A valid transcript: the run answered after the tool's result, in a later step than the call.
      expect(await final.getAttribute('data-status')).toBe('answered');
      const steps = page.getByTestId('agent-step');
      expect(await steps.count()).toBeGreaterThanOrEqual(2);
      expect(await steps.last().getByTestId('agent-tool-call').count()).toBe(0);
      const seen = (await page.evaluate('window.seen')) as string[];
      // The call (and its result: the calculator answers within the same network read) was on the
      // page while the model was still writing its answer: the steps streamed, not all at the end.
      expect(
        seen.some((s) => s.startsWith('1:') && !s.endsWith('final')),
        seen.join(' '),
      ).toBe(true);
      expect(seen.at(-1)).toBe('1:1:final');
      shots.push(await shot(page, 'agent-calculator'));
      expect(errors).toEqual([]);
      await page.close();
    },
    300_000,
  );

  it.skipIf(!hasCalc)(
    'the agent page on the InternLM2 native protocol: the markers the model writes are read as the call',
    async () => {
      const { page, errors } = await openPage(browser, 'en');
      await page.goto(`${studio.url}/agent`);
      await until('the served model', async () => ((await page.getByTestId('agent-model').inputValue()) === 'calc' ? true : undefined));
      await page.getByTestId('agent-protocol').selectOption('internlm2');
      await page.getByTestId('agent-max-tokens').fill('160');
      await page.getByTestId('agent-input').fill('What does 24-17 equal?');
      await page.getByTestId('agent-send').click();
      const final = page.getByTestId('agent-final');
      await final.waitFor({ timeout: 180_000 });
      const call = page.getByTestId('agent-tool-call').first();
      expect(await call.getAttribute('data-tool')).toBe('calculator');
      expect(await call.getByTestId('agent-tool-result').getAttribute('data-ok')).toBe('true');
      expect(await final.getAttribute('data-status')).toBe('answered');
      // no step showed the call's JSON as text: the markers reached the parser
      for (const text of await page.getByTestId('agent-thought').allInnerTexts()) expect(text).not.toContain('{"name"');
      shots.push(await shot(page, 'agent-internlm2'));
      expect(errors).toEqual([]);
      await page.close();
    },
    300_000,
  );

  it('the agent page says plainly when the endpoint cannot be reached', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(`${studio.url}/agent`);
    await endpointDefaultIn(page, 'agent-endpoint');
    await page.getByTestId('agent-endpoint').fill(`http://127.0.0.1:${await freePort()}/v1`);
    await page.getByTestId('agent-model').fill('nobody');
    await page.getByTestId('agent-input').fill('What is 2 + 2?');
    await page.getByTestId('agent-send').click();
    const err = page.getByTestId('agent-error');
    await err.waitFor({ timeout: 60_000 });
    expect(await err.innerText()).toMatch(/\[AGENT_MODEL_FAILED\]/);
    expect(await page.getByTestId('agent-final').getAttribute('data-status')).toBe('error');
    shots.push(await shot(page, 'agent-error'));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the MindSearch page draws the plan as it streams, with searchers in parallel, and cites real pages', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(`${studio.url}/mindsearch`);
    await endpointDefaultIn(page, 'ms-endpoint');
    await page.getByTestId('ms-endpoint').fill(peer.url);
    await page.getByTestId('ms-model').fill('scripted');
    await page.getByTestId('ms-docs').fill(web);
    await page.getByTestId('ms-question').fill(ASTREL_QUESTION);
    // Every graph state the page shows: node ids with their status, in order.
    await page.evaluate(`
      window.graphs = [];
      new MutationObserver(() => {
        const nodes = [...document.querySelectorAll('[data-testid=graph-node]')].map((n) => n.getAttribute('data-node') + '=' + n.getAttribute('data-status'));
        const s = nodes.sort().join(',');
        if (s && s !== window.graphs.at(-1)) window.graphs.push(s);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.getByTestId('ms-search').click();
    // Mid-run: two independent searchers are running at the same moment, and the graph shows it.
    await until(
      'two searchers running at once',
      async () => ((await page.locator('[data-testid=graph-node][data-status=running]').count()) >= 2 ? true : undefined),
      60_000,
      50,
    );
    shots.push(await shot(page, 'mindsearch-running'));
    const finalCard = page.getByTestId('ms-final');
    await finalCard.waitFor({ timeout: 120_000 });
    const graphs = (await page.evaluate('window.graphs')) as string[];
    // drawn as it streamed (nodes running, then answered), not once at the end
    expect(graphs.length, graphs.join(' | ')).toBeGreaterThanOrEqual(3);
    expect(graphs[0]).not.toContain('done');
    expect(graphs.at(-1)).toBe('q1=done,q2=done,q3=done,root=root');
    expect(Number(await page.getByTestId('ms-progress').getAttribute('data-max-running'))).toBeGreaterThanOrEqual(2);
    // each node's answer is on the graph
    expect(await page.locator('[data-testid=graph-node][data-node=q2]').innerText()).toContain('Brennholt is the largest port of Astrel.');
    // The answer's citations link to references, and each reference page holds the sentence cited with it.
    const answer = await page.getByTestId('ms-answer').innerText();
    expect(answer).toContain('Veloria has a population of 2.4 million people.');
    const refs = page.getByTestId('reference');
    const citations = page.getByTestId('citation');
    expect(await citations.count()).toBe(3);
    const refUrls = await refs.evaluateAll((as) => as.map((a) => a.getAttribute('data-url') ?? ''));
    // each cited stretch of text: what lies between the previous citation and this one
    const cited = [...answer.matchAll(/([^[\]]+?)\s*\[(\d+)\]/g)].map((m) => [m[1]!.trim(), Number(m[2])] as const);
    expect(cited.length).toBe(3);
    for (const [sentence, n] of cited) {
      const url = refUrls[n - 1]!;
      expect(readFileSync(fileURLToPath(url), 'utf8')).toContain(sentence);
      // the link opens that page through the Studio
      const href = await citations
        .and(page.locator(`[data-ref="${n}"]`))
        .first()
        .getAttribute('href');
      const res = await fetch(new URL(href!, studio.url));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(sentence);
    }
    shots.push(await shot(page, 'mindsearch-answer'));
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('both pages load in Chinese with no untranslated key', async () => {
    for (const p of ['agent', 'mindsearch']) {
      const { page, errors } = await openPage(browser, 'zh');
      await page.goto(`${studio.url}/${p}`);
      await page.locator('main h1').waitFor();
      expect(await page.locator('main').innerText()).toMatch(/[\u4e00-\u9fff]/);
      shots.push(await shot(page, `${p}-zh`));
      expect(errors, p).toEqual([]);
      await page.close();
    }
  }, 60_000);
});
