import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, openDatabase } from '@puyu/label';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioApp } from '../../app.js';

// @puyu/label inside the Studio: mounted under /api/label, its database under <runs>/label by
// default, its own session and CSRF rules, and the Studio's /session answer for the sign-in page.
let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'puyu-studio-label-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the label stage in the Studio', () => {
  it('answers /session without a 401, passes the label API through, and keeps the session and CSRF rules', async () => {
    const app = createStudioApp({ runsDir: root, endpoints: [], web: join(root, 'no-web') });
    const req = (path: string, init?: RequestInit) => app.request(`http://127.0.0.1${path}`, init);
    const anon = await req('/api/label/session');
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ user: null });
    expect(existsSync(join(root, 'label', 'label.sqlite'))).toBe(true);
    expect((await req('/api/label/health')).status).toBe(200);
    const denied = await req('/api/label/projects');
    expect(denied.status).toBe(401);

    const opened = await openDatabase(join(root, 'label'));
    await createUser(opened.db, 'boss', 'admin', 'a long password');
    await opened.close();
    const login = await req('/api/label/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'boss', password: 'a long password' }),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const me = (await (await req('/api/label/session', { headers: { cookie } })).json()) as { user: { name: string }; csrfToken: string };
    expect(me.user.name).toBe('boss');
    expect(me.csrfToken).toBe(csrfToken);
    const body = JSON.stringify({ name: 'p', kind: 'dialogue', schema: { questions: [] } });
    const headers = { cookie, 'content-type': 'application/json' };
    expect((await req('/api/label/projects', { method: 'POST', headers, body })).status).toBe(403); // no CSRF header
    const made = await req('/api/label/projects', { method: 'POST', headers: { ...headers, 'x-csrf-token': csrfToken }, body });
    expect(made.ok, await made.text()).toBe(true);
  });
});
