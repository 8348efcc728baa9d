import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createUser } from '../store/users.js';
import { openDatabase } from './openDatabase.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../../../..');

function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, '../fixtures/serveChild.ts'), dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /http:\/\/\S+/.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

async function login(url: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/label/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'admin', password: 'crash test pass' }),
  });
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] as string, csrf: body.csrfToken };
}

describe('a server killed with -9 mid-write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-label-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts on a consistent database: whole imports or none, integrity_check ok', async () => {
    const opened = await openDatabase(dir);
    await createUser(opened.db, 'admin', 'admin', 'crash test pass');
    await opened.close();

    const first = await serve(dir);
    const s = await login(first.url);
    const h = { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' };
    const proj = (await (
      await fetch(`${first.url}/api/label/projects`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ name: 'crash', kind: 'dialogue', schema: { questions: [] } }),
      })
    ).json()) as {
      project: { id: number };
    };
    const BATCH = 200;
    const batch = (b: number) =>
      Array.from({ length: BATCH }, (_, i) =>
        JSON.stringify({ id: `b${b}-${i}`, messages: [{ role: 'user', content: `batch ${b} line ${i} ${'x'.repeat(200)}` }] }),
      ).join('\n');
    // keep imports in flight, then kill the process without warning while they write
    let firstDone: () => void = () => {};
    const oneCommitted = new Promise<void>((r) => {
      firstDone = r;
    });
    const inflight = Array.from({ length: 40 }, (_, b) =>
      fetch(`${first.url}/api/label/projects/${proj.project.id}/import`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ jsonl: batch(b) }),
      }).then(
        (r) => {
          firstDone();
          return r.status;
        },
        () => 0,
      ),
    );
    // the first import has committed and the others are queued or writing: kill it now
    await oneCommitted;
    first.child.kill('SIGKILL');
    const statuses = await Promise.all(inflight);
    const committed = statuses.filter((x) => x === 200).length;
    console.log(`crash test: ${committed} of ${statuses.length} imports answered before the kill`);
    expect(statuses.filter((x) => x === 0).length).toBeGreaterThan(0); // some were cut off

    const second = await serve(dir);
    try {
      const raw = new Database(join(dir, 'label.sqlite'), { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      const perBatch = raw.prepare("select substr(key, 1, instr(key, '-') - 1) as b, count(*) as n from items group by b").all() as {
        b: string;
        n: number;
      }[];
      raw.close();
      for (const row of perBatch) expect([row.b, row.n]).toEqual([row.b, BATCH]);
      expect(perBatch.length).toBeGreaterThanOrEqual(committed);
      // and it keeps working
      const s2 = await login(second.url);
      const res = await fetch(`${second.url}/api/label/projects/${proj.project.id}/items?limit=1`, { headers: { cookie: s2.cookie } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { total: number }).total).toBe(perBatch.length * BATCH);
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
