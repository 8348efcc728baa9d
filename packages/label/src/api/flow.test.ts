import { afterEach, describe, expect, it } from 'vitest';
import { DIALOGUE_SCHEMA, type Harness, harness } from '../fixtures/harness.js';

const JSONL = [
  JSON.stringify({
    messages: [
      { role: 'user', content: 'What is 2+3?' },
      { role: 'assistant', content: '5' },
    ],
    candidates: ['6', 'five'],
  }),
  JSON.stringify({ conversation: [{ system: 'Be brief.', input: 'Capital of France?', output: 'Paris' }] }),
  JSON.stringify({
    prompt: 'rate it',
    conversation_id: 'conv-1',
    conversation: [
      { message_id: 'a', parent_id: null, message_type: 'send', content: 'Hi' },
      { message_id: 'b', parent_id: 'a', message_type: 'receive', content: 'Hello!' },
      { message_id: 'c', parent_id: 'a', message_type: 'receive', content: 'Go away.' },
    ],
  }),
  '{not json',
].join('\n');

describe('labelling API: import, annotate, review, export', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('runs a dialogue project end to end and its exports round-trip byte for byte', async () => {
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const ann1 = await h.user('ann1', 'annotator');
    const ann2 = await h.user('ann2', 'annotator');
    const rev = await h.user('rev', 'reviewer');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'd1',
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
      annotatorsPerItem: 2,
    });
    for (const u of [ann1, ann2, rev]) {
      const { user } = await u.json<{ user: { id: number } }>('GET', '/auth/me');
      await admin.json('PUT', `/projects/${project.id}/members/${user.id}`);
    }
    const report = await admin.json<{ imported: number; skipped: { line: number; code: string }[] }>(
      'POST',
      `/projects/${project.id}/import`,
      { format: 'auto', jsonl: JSONL },
    );
    expect(report.imported).toBe(3);
    expect(report.skipped).toEqual([expect.objectContaining({ line: 4, code: 'LABEL_BAD_IMPORT' })]);

    for (const [u, best] of [
      [ann1, 0],
      [ann2, 0],
    ] as const) {
      for (;;) {
        const next = await u.json<{ task: { id: number; version: number } | null; item?: { data: { candidates: { id: string }[] } } }>(
          'POST',
          `/projects/${project.id}/tasks/next`,
        );
        if (!next.task || !next.item) break;
        const ids = next.item.data.candidates.map((c) => c.id);
        const ranking = best === 0 ? ids : [...ids].reverse();
        await u.json('PUT', `/tasks/${next.task.id}`, {
          version: next.task.version,
          submit: true,
          result: {
            kind: 'dialogue',
            messageAnswers: {},
            conversationAnswers: { helpful: 'yes' },
            ranking,
            ...(u === ann1 ? { rewrite: { candidateId: ids[0], content: `better: ${ids[0]}` } } : {}),
          },
        });
      }
    }
    for (;;) {
      const next = await rev.json<{ task: { id: number } | null }>('POST', `/projects/${project.id}/reviews/next`);
      if (!next.task) break;
      await rev.json('POST', `/tasks/${next.task.id}/review`, { verdict: 'approved' });
    }
    const progress = await admin.json<{ complete: number; reviewed: { approved: number } }>('GET', `/projects/${project.id}/progress`);
    expect(progress).toMatchObject({ complete: 3, reviewed: { approved: 6 } });
    const agreement = await admin.json<{ ranking: { kendallTau: number } }>('GET', `/projects/${project.id}/agreement`);
    expect(agreement.ranking.kendallTau).toBe(1);

    const sft = await (await admin.req('GET', `/projects/${project.id}/export?format=sft`)).text();
    expect(sft.trim().split('\n')[0]).toBe(JSON.stringify({ conversation: [{ input: 'What is 2+3?', output: 'better: c1' }] }));
    const dpo = await (await admin.req('GET', `/projects/${project.id}/export?format=dpo`)).text();
    expect(dpo.trim().split('\n').length).toBeGreaterThan(2);

    for (const format of ['raw', 'labels', 'audits'] as const) {
      const first = await admin.req('GET', `/projects/${project.id}/export?format=${format}`);
      expect(first.headers.get('content-type')).toContain('application/x-ndjson');
      const text = await first.text();
      const { project: copy } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
        name: `copy-${format}`,
        kind: 'dialogue',
        schema: DIALOGUE_SCHEMA,
        annotatorsPerItem: 2,
      });
      const again = await admin.json<{ imported: number }>('POST', `/projects/${copy.id}/import`, { format: 'puyu', jsonl: text });
      expect(again.imported).toBe(3);
      const second = await (await admin.req('GET', `/projects/${copy.id}/export?format=${format}`)).text();
      expect(second).toBe(text);
    }
  });
});
