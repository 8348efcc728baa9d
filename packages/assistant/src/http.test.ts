import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeOptions, serveAssistant } from './http.js';
import { ingestFolder } from './ingest.js';
import { openKnowledgeBase } from './knowledgeBase.js';
import { AssistantService } from './service.js';
import { makeZip } from './testkit.js';
import { signWebhook } from './webhook.js';

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by toMatchObject
type Body = Record<string, any>;
const read = async (r: Response): Promise<Body> => (await r.json()) as Body;

let dir: string;
let server: { url: string; close(): Promise<void> };
const SECRET = 'shared-secret';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-assistant-http-'));
  await mkdir(join(dir, 'docs'));
  await writeFile(join(dir, 'docs', 'apt.md'), '# APT\n\nRun apt update to refresh the package lists.\n');
  await ingestFolder(join(dir, 'docs'), join(dir, 'kb'), { quiet: true });
  const kb = await openKnowledgeBase(join(dir, 'kb'), { logDecisions: false });
  const opts: ServeOptions = { port: 0, webhookSecret: SECRET };
  server = await serveAssistant(new AssistantService(kb, { maxUploadBytes: 1 << 20 }), opts);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function signed(body: string, over: { ts?: number; nonce?: string; secret?: string } = {}) {
  const ts = String(over.ts ?? Math.floor(Date.now() / 1000));
  const nonce = over.nonce ?? Math.random().toString(36).slice(2);
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-puyu-timestamp': ts,
      'x-puyu-nonce': nonce,
      'x-puyu-signature': signWebhook(over.secret ?? SECRET, ts, nonce, body),
    },
  };
}

describe('assistant HTTP API', () => {
  it('asks with retrieval only', async () => {
    const r = await fetch(`${server.url}/v1/ask`, {
      method: 'POST',
      body: JSON.stringify({ question: 'How do I refresh package lists?', retrievalOnly: true, retriever: 'bm25' }),
    });
    expect(r.status).toBe(200);
    expect(await read(r)).toMatchObject({ decision: 'answer', citations: [expect.objectContaining({ source: 'apt.md' })] });
    const bad = await fetch(`${server.url}/v1/ask`, { method: 'POST', body: '{"question": 3}' });
    expect(bad.status).toBe(400);
    expect((await read(bad)).error.code).toBe('ASSISTANT_BAD_REQUEST');
  });

  it('webhook: a good signature answers; a bad signature, a stale timestamp and a replay are refused', async () => {
    const body = JSON.stringify({ text: 'How do I refresh package lists?', retrievalOnly: true, retriever: 'bm25' });
    const ok = signed(body, { nonce: 'n-1' });
    const r1 = await fetch(`${server.url}/v1/webhook`, ok);
    expect(r1.status).toBe(200);
    expect((await read(r1)).decision.decision).toBe('answer');

    const replay = await fetch(`${server.url}/v1/webhook`, ok);
    expect(replay.status).toBe(409);
    expect((await read(replay)).error.code).toBe('ASSISTANT_WEBHOOK_REPLAY');

    const forged = await fetch(`${server.url}/v1/webhook`, signed(body, { secret: 'wrong' }));
    expect(forged.status).toBe(401);
    expect((await read(forged)).error.code).toBe('ASSISTANT_WEBHOOK_BAD_SIGNATURE');

    const tampered = signed(body);
    const r4 = await fetch(`${server.url}/v1/webhook`, { ...tampered, body: body.replace('refresh', 'delete') });
    expect((await read(r4)).error.code).toBe('ASSISTANT_WEBHOOK_BAD_SIGNATURE');

    const stale = await fetch(`${server.url}/v1/webhook`, signed(body, { ts: Math.floor(Date.now() / 1000) - 3600 }));
    expect((await read(stale)).error.code).toBe('ASSISTANT_WEBHOOK_STALE');

    const unsigned = await fetch(`${server.url}/v1/webhook`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
  });

  it('uploads a document and a zip; refuses an oversized upload and a zip bomb with coded errors', async () => {
    const up = await fetch(`${server.url}/v1/upload?name=dpkg.md`, {
      method: 'POST',
      body: '# dpkg\n\ndpkg -l lists installed packages.\n',
    });
    expect(up.status).toBe(200);
    expect((await read(up)).stored).toEqual(['dpkg.md']);
    const zip = makeZip([
      { name: 'more/grub.md', data: Buffer.from('# GRUB\n\nGRUB reads grub.cfg.\n') },
      { name: 'x.bin', data: Buffer.from([0, 1]) },
    ]);
    const upZip = await fetch(`${server.url}/v1/upload?name=bundle.zip`, { method: 'POST', body: zip });
    expect((await read(upZip)).stored).toEqual(['bundle/more/grub.md']);
    const stats = await read(await fetch(`${server.url}/v1/kb`));
    expect(stats.sources.map((s: { path: string }) => s.path).sort()).toEqual(['apt.md', 'bundle/more/grub.md', 'dpkg.md']);

    // The limit here is 1 MiB (the default is 100 MiB, so 200 MB is refused the same way).
    const big = await fetch(`${server.url}/v1/upload?name=big.md`, { method: 'POST', body: Buffer.alloc(2 << 20, 97) });
    expect(big.status).toBe(413);
    expect((await read(big)).error.code).toBe('ASSISTANT_FILE_TOO_LARGE');

    const bomb = makeZip([{ name: 'zeros.md', data: Buffer.alloc(50 * 2 ** 20) }]);
    const rb = await fetch(`${server.url}/v1/upload?name=bomb.zip`, { method: 'POST', body: bomb });
    expect(rb.status).toBe(413);
    expect((await read(rb)).error).toMatchObject({
      code: 'ASSISTANT_ARCHIVE_BOMB',
      message: expect.stringMatching(/refused as an archive bomb/),
    });
  });

  it('refuses a 200 MB upload at the default 100 MiB limit from its declared length, before reading it', async () => {
    const kb = await openKnowledgeBase(join(dir, 'kb'), { logDecisions: false });
    const plain = await serveAssistant(new AssistantService(kb), { port: 0 });
    try {
      const { port } = new URL(plain.url);
      const res = await new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = request(
          { host: '127.0.0.1', port, method: 'POST', path: '/v1/upload?name=big.pdf', headers: { 'content-length': 200_000_000 } },
          (r) => {
            let body = '';
            r.on('data', (d) => {
              body += d;
            });
            r.on('end', () => ok({ status: r.statusCode ?? 0, body }));
          },
        );
        // The server answers and closes after the first megabyte at most; the rest is never sent.
        req.on('error', fail);
        req.write(Buffer.alloc(1 << 20));
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error).toMatchObject({
        code: 'ASSISTANT_FILE_TOO_LARGE',
        message: expect.stringMatching(/200000000 bytes, over the 104857600-byte limit/),
      });
    } finally {
      await plain.close();
    }
  });

  it('with a token, the API routes need it (the signed webhook does not)', async () => {
    const kb = await openKnowledgeBase(join(dir, 'kb'), { logDecisions: false });
    const guarded = await serveAssistant(new AssistantService(kb), { port: 0, apiKey: 'tok' });
    try {
      expect((await fetch(`${guarded.url}/v1/kb`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/v1/kb`, { headers: { authorization: 'Bearer tok' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('stores question lists and calibrates from them', async () => {
    const put = await fetch(`${server.url}/v1/questions`, {
      method: 'PUT',
      body: JSON.stringify({
        good: 'How do I refresh package lists?\nWhat does dpkg -l do?',
        bad: ['Who wrote Hamlet?', 'Best pizza in Rome?'],
      }),
    });
    expect((await read(put)).good).toHaveLength(2);
    const cal = await read(await fetch(`${server.url}/v1/calibrate`, { method: 'POST', body: '{}' }));
    expect(cal.bm25).toMatchObject({ f1: 1, good: 2, bad: 2 });
  });
});
