import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, type Client, DIALOGUE_SCHEMA, type Harness, harness, loginClient } from '../fixtures/harness.js';

describe('labelling API security', () => {
  let h: Harness;
  let admin: Client;
  let ann: Client;
  let own: number;
  let other: number;
  beforeAll(async () => {
    h = await harness({ loginLimit: { max: 3, windowMs: 60_000 } });
    admin = await h.user('admin', 'admin');
    ann = await h.user('ann', 'annotator');
    const mk = async (name: string) =>
      (await admin.json<{ project: { id: number } }>('POST', '/projects', { name, kind: 'dialogue', schema: DIALOGUE_SCHEMA })).project.id;
    own = await mk('mine');
    other = await mk('theirs');
    const { user } = await ann.json<{ user: { id: number } }>('GET', '/auth/me');
    await admin.json('PUT', `/projects/${own}/members/${user.id}`);
  });
  afterAll(() => h.close());

  it('answers 401 on every route of the OpenAPI document except login and health without a session', async () => {
    const doc = (await (await h.label.app.request(`${BASE}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), path] as const));
    expect(routes.length).toBeGreaterThan(25);
    let checked = 0;
    for (const [method, path] of routes) {
      if (path.endsWith('/auth/login') || path.endsWith('/health')) continue;
      const url = path.replace(/\{sha256\}/g, 'a'.repeat(64)).replace(/\{\w+\}/g, '1');
      const res = await h.label.app.request(url, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LABEL_UNAUTHENTICATED');
      checked++;
    }
    expect(checked).toBe(routes.length - 1);
  });

  it('gives an annotator 403 on other projects and on admin routes', async () => {
    const forbidden: [string, string, unknown?][] = [
      ['GET', `/projects/${other}`],
      ['POST', `/projects/${other}/tasks/next`],
      ['GET', `/projects/${other}/progress`],
      ['GET', '/users'],
      ['POST', '/users', { name: 'x', role: 'admin', password: 'longenough1' }],
      ['POST', '/projects', { name: 'p', kind: 'dialogue', schema: { questions: [] } }],
      ['PATCH', `/projects/${own}`, { name: 'renamed' }],
      ['POST', `/projects/${own}/import`, { format: 'auto', jsonl: '' }],
      ['GET', `/projects/${own}/export?format=raw`],
      ['GET', `/projects/${own}/agreement`],
      ['PUT', `/projects/${own}/members/1`],
      ['POST', `/projects/${own}/preannotate`, { baseUrl: 'http://127.0.0.1:9', model: 'm', mode: 'candidates' }],
    ];
    for (const [method, path, body] of forbidden) {
      const res = await ann.req(method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    const list = await ann.json<{ projects: { id: number }[] }>('GET', '/projects');
    expect(list.projects.map((p) => p.id)).toEqual([own]);
  });

  it('refuses a state-changing request without or with a wrong CSRF token', async () => {
    const body = { name: 'csrf', kind: 'dialogue', schema: { questions: [] } };
    for (const headers of [{}, { 'x-csrf-token': 'forged' }] as Record<string, string>[]) {
      const res = await admin.req('POST', '/projects', body, { csrf: false, headers });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LABEL_CSRF');
    }
    expect((await admin.req('POST', '/projects', body)).status).toBe(200);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict', async () => {
    const res = await h.label.app.request(`${BASE}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ann', password: 'correct horse battery' }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/puyu_label_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('stores SQL-injection and XSS payloads verbatim and returns them inert as JSON', async () => {
    const payloads = [
      "'; DROP TABLE items; --",
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      "Robert'); DELETE FROM users WHERE ('1'='1",
      '" OR 1=1 --',
    ];
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: "x'); DROP TABLE projects;--<b>",
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
    });
    const jsonl = payloads
      .map((p, i) =>
        JSON.stringify({
          id: `${p}#${i}`,
          messages: [
            { role: 'user', content: p },
            { role: 'assistant', content: p },
          ],
        }),
      )
      .join('\n');
    const r = await admin.json<{ imported: number }>('POST', `/projects/${project.id}/import`, { format: 'openai', jsonl });
    expect(r.imported).toBe(payloads.length);
    const res = await admin.req('GET', `/projects/${project.id}/items?limit=50`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const { items } = (await res.json()) as {
      items: { key: string; data: { messages: { content: string }[]; candidates: { content: string }[] } }[];
    };
    expect(items.map((i) => i.data.messages[0]?.content)).toEqual(payloads);
    expect(items.map((i) => i.data.candidates[0]?.content)).toEqual(payloads);
    expect(items.map((i) => i.key)).toEqual(payloads.map((p, i) => `${p}#${i}`));
    // the tables the payloads name are still there
    expect((await admin.json<{ users: unknown[] }>('GET', '/users')).users.length).toBeGreaterThanOrEqual(2);
    expect((await admin.json<{ projects: unknown[] }>('GET', '/projects')).projects.length).toBeGreaterThanOrEqual(3);
    const raw = await (await admin.req('GET', `/projects/${project.id}/export?format=raw`)).text();
    expect(raw).toContain('<script>alert(1)</script>');
  });

  it('rate-limits failed logins per name and answers Retry-After', async () => {
    await h.user('victim', 'annotator', 'the right password');
    const attempt = (password: string) =>
      h.label.app.request(`${BASE}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'victim', password }),
      });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password')).status).toBe(401);
    const limited = await attempt('the right password');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expect(loginClient(h.label, 'victim', 'the right password')).rejects.toThrow(/429/);
  });
});
