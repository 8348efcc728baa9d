import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../../..');
export const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots go here (ignored by git): the lead looks at a few. */
export const SHOTS = process.env.PUYU_STUDIO_SHOTS ?? join(ROOT, '.cache', 'test-output', 'studio');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  /** stdout + stderr so far. */
  out(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs the real `puyu` binary with one thread. */
export function puyu(args: string[], cwd = ROOT): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, PUYU_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => {
    text += d;
  });
  child.stderr!.on('data', (d) => {
    text += d;
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    child,
    out: () => text,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 120_000,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Throttles what the page downloads (Chromium's own network emulation, over CDP). A tiny model
 * streams 48 tokens in under 0.1 s, so on a fast machine the whole stream can arrive in one read
 * and the page rightly renders it once; throttled, the same stream arrives over many reads, and a
 * check that the bubble grows in steps no longer depends on the machine's speed.
 */
export async function throttleDownloads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: -1,
  });
}

/**
 * Waits until an endpoint field shows the Studio's first endpoint: the list has loaded and the
 * page's default is in. Typing before then races the default: it can be committed between the
 * field's select-all and the typed text, and the two run together ("http://a/v1http://b/v1").
 */
export async function endpointDefaultIn(page: Page, testId: string): Promise<void> {
  await until(`the default in ${testId}`, async () => ((await page.getByTestId(testId).inputValue()) !== '' ? true : undefined), 60_000);
}

/** A page that records console errors and uncaught exceptions; the suite fails on any. */
export async function openPage(browser: Browser, lang: 'en' | 'zh'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  // (a string: the script runs in the page, whose globals this Node-typed file does not declare)
  await page.addInitScript(`localStorage.setItem('puyu-studio-lang', ${JSON.stringify(lang)})`);
  return { page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium)`;
  return undefined;
}
