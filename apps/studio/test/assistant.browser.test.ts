// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators; innerText() is the rendered text a reader sees
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { makeToolModel } from '@puyu/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStudio, startStudio } from '../server/index.js';
import { CHROMIUM, freePort, openPage, type Proc, puyu, SHOTS, shot, skipReason, until } from './harness.js';

// The assistant page in a real browser on a real served model: `puyu serve` serves the tiny
// InternLM2 of @puyu/testing, which gives the knowledge base its embeddings (dense + hybrid) and
// the chat model of the full pipeline. The page makes a KB, uploads documents (and a zip bomb,
// refused), calibrates on good/bad lists (the PR chart and thresholds appear), and asks in the
// test chat: retrieval-only (answered with citations) and the full pipeline (LLM steps logged).
const skip = skipReason();
if (skip) console.warn(`skipping the assistant browser suite: ${skip}`);

let root = '';
let browser: Browser;
let studio: RunningStudio;
let serve: Proc | undefined;
let servePort = 0;
const shots: string[] = [];

/** A one-entry ZIP whose entry is 50 MiB of zeros (about 50 KiB packed): an archive bomb. */
function zipBomb(): Buffer {
  const data = Buffer.alloc(50 * 2 ** 20);
  const comp = deflateRawSync(data);
  const name = Buffer.from('zeros.md');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(comp.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(30 + name.length + comp.length, 16);
  return Buffer.concat([local, name, comp, central, name, eocd]);
}

beforeAll(async () => {
  if (skip) return;
  root = await mkdtemp(join(tmpdir(), 'puyu-assistant-browser-'));
  await mkdir(join(root, 'runs'));
  const model = await makeToolModel();
  servePort = await freePort();
  serve = puyu(['serve', model.gguf, '--port', String(servePort), '--ctx-size', '1024', '--sequences', '2', '--name', 'tool']);
  studio = await startStudio({ runsDir: join(root, 'runs'), port: 0, endpoints: [`http://127.0.0.1:${servePort}/v1`] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await until(
    'puyu serve',
    async () => (await fetch(`http://127.0.0.1:${servePort}/health`).catch(() => undefined))?.ok || undefined,
    180_000,
  );
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await serve?.stop();
  if (root) await rm(root, { recursive: true, force: true });
  if (shots.length) console.log(`Assistant screenshots (${SHOTS}):\n  ${shots.join('\n  ')}`);
});

describe.skipIf(!!skip)('assistant page in Chromium', () => {
  it('creates a KB, uploads, refuses a zip bomb, calibrates, and answers with scores and citations', async () => {
    const { page, errors } = await openPage(browser, 'en');
    await page.goto(`${studio.url}/assistant`);
    const spec = `http://127.0.0.1:${servePort}@tool`;
    await page.getByTestId('kb-name').fill('debian');
    await page.getByTestId('kb-embed').fill(spec);
    await page.getByTestId('kb-chat').fill(spec);
    await page.getByTestId('kb-create').click();
    await page.getByTestId('kb-stats').waitFor();

    await page.getByTestId('kb-upload').setInputFiles([
      {
        name: 'apt.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from('# APT\n\nRun apt update to refresh the package lists, then apt upgrade.\n'),
      },
      {
        name: 'network.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from('# 网络\n\n编辑 /etc/network/interfaces 文件来配置网络接口。\n'),
      },
      { name: 'bomb.zip', mimeType: 'application/zip', buffer: zipBomb() },
    ]);
    await until(
      'the uploads',
      async () => ((await page.getByTestId('upload-results').locator('li').count()) === 3 ? true : undefined),
      120_000,
    );
    const results = await page.getByTestId('upload-results').innerText();
    expect(results).toMatch(/apt\.md: 1 stored, 0 skipped/);
    expect(results).toMatch(/bomb\.zip:[\s\S]*ASSISTANT_ARCHIVE_BOMB/);
    await until('two chunks', async () => ((await page.getByTestId('kb-chunks').innerText()) === '2' ? true : undefined));

    await page.getByTestId('good-questions').fill('How do I refresh the package lists with apt?\n如何配置网络接口？');
    await page.getByTestId('bad-questions').fill('Who wrote Hamlet?\n今天天气怎么样？');
    await page.getByTestId('calibrate').click();
    await page.getByTestId('threshold-hybrid').waitFor({ timeout: 120_000 });
    for (const k of ['bm25', 'dense', 'hybrid']) await page.getByTestId(`threshold-${k}`).waitFor();
    expect(Number(await page.getByTestId('pr-curve').getAttribute('data-points'))).toBeGreaterThan(1);

    // Retrieval only: answered from the calibrated threshold, with numbered citations and the score shown.
    await page.getByTestId('chat-retrieval-only').check();
    await page.getByTestId('chat-question').fill('How do I refresh the package lists?');
    await page.getByTestId('chat-ask').click();
    const first = page.getByTestId('decision').nth(0);
    await first.waitFor({ timeout: 60_000 });
    expect(await first.getAttribute('data-decision')).toBe('answer');
    expect(await first.getByTestId('decision-score').innerText()).toMatch(/hybrid relevance [\d.]+ vs threshold [\d.]+/);
    expect(await first.getByTestId('citations').innerText()).toMatch(/apt\.md › APT/);

    // An unrelated question is refused. On BM25, whose calibration separates the good and bad lists and
    // which scores no shared word at 0: the tiny model's vectors put every question close together
    // (this one at dense 0.886), so whether the hybrid score clears the threshold is chance.
    await page.getByTestId('chat-retriever').selectOption('bm25');
    await page.getByTestId('chat-question').fill('Who painted the Mona Lisa?');
    await page.getByTestId('chat-ask').click();
    const second = page.getByTestId('decision').nth(1);
    await second.waitFor({ timeout: 60_000 });
    expect(await second.getAttribute('data-decision')).toBe('reject');
    expect(await second.getByTestId('decision-score').innerText()).toMatch(/bm25 relevance [\d.]+ vs threshold [\d.]+/);
    expect(await second.getByTestId('decision-reason').innerText()).toMatch(/nothing in the knowledge base is close enough/);
    await page.getByTestId('chat-retriever').selectOption('');

    // The full pipeline on the served model: whatever the tiny model says, each LLM step is logged.
    await page.getByTestId('chat-retrieval-only').uncheck();
    await page.getByTestId('chat-question').fill('How do I refresh the package lists with apt?');
    await page.getByTestId('chat-ask').click();
    const third = page.getByTestId('decision').nth(2);
    await third.waitFor({ timeout: 180_000 });
    const log = await third.getByTestId('decision-log').innerText();
    expect(log).toMatch(/is_question/);
    expect(log).toMatch(/retrieval/);
    shots.push(await shot(page, 'assistant-en'));
    // The refused bomb upload is a 413 the browser logs by itself; anything else is a failure.
    expect(errors.filter((e) => !/status of 413/.test(e))).toEqual([]);
    await page.close();
  }, 600_000);

  it('renders in Chinese with the calibration chart', async () => {
    const { page, errors } = await openPage(browser, 'zh');
    await page.goto(`${studio.url}/assistant`);
    await page.getByTestId('pr-curve').waitFor();
    expect(await page.locator('h1').innerText()).toBe('领域助手');
    shots.push(await shot(page, 'assistant-zh'));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
