import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIProvider } from '@puyu/client';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { callCached } from '../inferencers/callCached.js';
import { cacheKey, canonicalJson, SampleCache } from './SampleCache.js';

let peer: OpenAIPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('SampleCache', () => {
  it('keys on model, request and params — not on key order or undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
    const req = { kind: 'completion' as const, prompt: 'Q', params: { maxTokens: 5, temperature: 0 } };
    const same = { params: { temperature: 0, maxTokens: 5 }, prompt: 'Q', kind: 'completion' as const };
    expect(cacheKey('m', req)).toBe(cacheKey('m', same));
    expect(cacheKey('m', req)).not.toBe(cacheKey('m2', req));
    expect(cacheKey('m', req)).not.toBe(cacheKey('m', { ...req, params: { maxTokens: 6, temperature: 0 } }));
    expect(cacheKey('m', req, 'sc0')).not.toBe(cacheKey('m', req, 'sc1'));
  });

  it('survives a torn last line from a killed run and keeps appending on a fresh line', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'puyu-cache-')), 'cache.jsonl');
    const a = new SampleCache(path);
    a.set('k1', { texts: ['one'] });
    a.close();
    appendFileSync(path, '{"k":"k2","r":{"te'); // the process died mid-write
    const b = new SampleCache(path);
    expect(b.skippedLines).toBe(1);
    expect(b.get('k1')).toEqual({ texts: ['one'] });
    expect(b.get('k2')).toBeUndefined();
    b.set('k3', { texts: ['three'] });
    b.close();
    const c = new SampleCache(path);
    expect(c.get('k3')).toEqual({ texts: ['three'] });
    expect(c.size).toBe(2);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('answers repeats from the cache, stores no failures, and separates the chat and completions routes', async () => {
    peer = await startOpenAIPeer((r) => (r.prompt === 'fail' ? { status: 400 } : `${r.route}:${r.prompt}`));
    const cache = new SampleCache(join(mkdtempSync(join(tmpdir(), 'puyu-cache-')), 'c.jsonl'));
    const chat = new OpenAIProvider({ baseUrl: peer.url, model: 'm', api: 'chat' });
    const base = new OpenAIProvider({ baseUrl: peer.url, model: 'm', api: 'completions' });
    const ask = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(await callCached({ provider: chat, cache }, ask)).toMatchObject({ ok: true, fromCache: false, texts: ['chat:hi'] });
    expect(await callCached({ provider: chat, cache }, ask)).toMatchObject({ ok: true, fromCache: true, texts: ['chat:hi'] });
    expect(await callCached({ provider: base, cache }, ask)).toMatchObject({ ok: true, fromCache: false, texts: ['completions:hi'] });
    const fail = { kind: 'completion' as const, prompt: 'fail' };
    expect((await callCached({ provider: chat, cache }, fail)).ok).toBe(false);
    expect((await callCached({ provider: chat, cache }, fail)).ok).toBe(false);
    expect(peer.requests.map((q) => q.prompt)).toEqual(['hi', 'hi', 'fail', 'fail']);
    cache.close();
  });
});
