import { startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALOGUE_SCHEMA, type Harness, harness } from '../fixtures/harness.js';

type Next = { task: { id: number; version: number } | null; item?: { id: number; data: { candidates: { id: string }[] } } };
const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

describe('labelling API: hostile bodies, result validation, review rejection, draft pre-annotation', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('answers coded errors for oversized, non-JSON and wrong-shaped bodies and for results that do not fit the item', async () => {
    h = await harness({ maxBodyBytes: 64 * 1024 });
    const admin = await h.user('admin', 'admin');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'v',
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
    });
    const big = await admin.req('POST', `/projects/${project.id}/import`, { jsonl: 'x'.repeat(100 * 1024) });
    expect([big.status, await code(big)]).toEqual([413, 'LABEL_TOO_LARGE']);
    const notJson = await admin.req('POST', '/projects', undefined, { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect([notJson.status, await code(notJson)]).toEqual([400, 'LABEL_BAD_REQUEST']);
    const wrong = await admin.req('POST', '/projects', { name: 'w', kind: 'video', schema: {} });
    expect([wrong.status, await code(wrong)]).toEqual([400, 'LABEL_BAD_REQUEST']);
    const badId = await admin.req('GET', '/projects/abc');
    expect(badId.status).toBe(400);
    expect((await admin.req('GET', '/projects/999')).status).toBe(404);

    await admin.json('POST', `/projects/${project.id}/import`, {
      jsonl: JSON.stringify({ messages: [{ role: 'user', content: 'q' }], candidates: ['a', 'b'] }),
    });
    const next = await admin.json<Next>('POST', `/projects/${project.id}/tasks/next`);
    const task = next.task as { id: number; version: number };
    const put = (result: unknown, submit = true) => admin.req('PUT', `/tasks/${task.id}`, { version: task.version, submit, result });
    const base = { kind: 'dialogue', messageAnswers: {}, conversationAnswers: { helpful: 'yes' } };
    for (const bad of [
      { ...base, ranking: ['c1', 'c9'] },
      { ...base, ranking: ['c1'] },
      { ...base, ranking: ['c1', 'c2'], conversationAnswers: { helpful: 'maybe' } },
      { ...base, ranking: ['c1', 'c2'], conversationAnswers: { helpful: 'yes', nope: 'x' } },
      { ...base, ranking: ['c1', 'c2'], messageAnswers: { m9: { issues: ['wrong'] } } },
      { ...base, ranking: ['c1', 'c2'], rewrite: { candidateId: 'c7', content: 'x' } },
      { kind: 'image', shapes: [] },
      { ...base, conversationAnswers: {} },
    ]) {
      const r = await put(bad);
      expect([JSON.stringify(bad), r.status, await code(r)]).toEqual([JSON.stringify(bad), 400, 'LABEL_BAD_REQUEST']);
    }
    // a draft may leave required answers out; the version moved on by exactly one
    const draft = (await (await put({ ...base, conversationAnswers: {} }, false)).json()) as { task: { version: number; status: string } };
    expect(draft.task).toMatchObject({ version: task.version + 1, status: 'assigned' });
  });

  it('sends a rejected task back to its annotator, who resubmits for a second review', async () => {
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const ann = await h.user('ann', 'annotator');
    const rev = await h.user('rev', 'reviewer');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'r',
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
    });
    for (const u of [ann, rev]) {
      const { user } = await u.json<{ user: { id: number } }>('GET', '/auth/me');
      await admin.json('PUT', `/projects/${project.id}/members/${user.id}`);
    }
    await admin.json('POST', `/projects/${project.id}/import`, {
      jsonl: JSON.stringify({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      }),
    });
    const result = { kind: 'dialogue', messageAnswers: {}, conversationAnswers: { helpful: 'no' } };
    const t1 = await ann.json<Next>('POST', `/projects/${project.id}/tasks/next`);
    const submitted = await ann.json<{ task: { version: number } }>('PUT', `/tasks/${t1.task?.id}`, {
      version: t1.task?.version,
      submit: true,
      result,
    });
    expect((await ann.req('POST', `/tasks/${t1.task?.id}/review`, { verdict: 'approved' })).status).toBe(403);
    const toReview = await rev.json<Next>('POST', `/projects/${project.id}/reviews/next`);
    expect(toReview.task?.id).toBe(t1.task?.id);
    expect((toReview as { annotator?: string }).annotator).toBe('ann');
    await rev.json('POST', `/tasks/${t1.task?.id}/review`, { verdict: 'rejected', comment: 'it was helpful' });
    expect((await rev.json<Next>('POST', `/projects/${project.id}/reviews/next`)).task).toBeNull();
    const again = await ann.json<Next>('POST', `/projects/${project.id}/tasks/next`);
    expect(again.task).toMatchObject({ id: t1.task?.id, version: submitted.task.version + 1 });
    // the annotator is told why it came back
    expect((again as { lastReview?: { verdict: string; comment: string } }).lastReview).toMatchObject({
      verdict: 'rejected',
      comment: 'it was helpful',
    });
    await ann.json('PUT', `/tasks/${again.task?.id}`, {
      version: again.task?.version,
      submit: true,
      result: { ...result, conversationAnswers: { helpful: 'yes' } },
    });
    const second = await rev.json<Next>('POST', `/projects/${project.id}/reviews/next`);
    expect(second.task?.id).toBe(t1.task?.id);
    await rev.json('POST', `/tasks/${t1.task?.id}/review`, { verdict: 'approved' });
    const audits = await (await admin.req('GET', `/projects/${project.id}/export?format=audits`)).text();
    const rec = JSON.parse(audits) as {
      annotations: { result: { conversationAnswers: { helpful: string } }; reviews: { verdict: string; comment: string }[] }[];
    };
    expect(rec.annotations[0]?.result.conversationAnswers.helpful).toBe('yes');
    expect(rec.annotations[0]?.reviews.map((r) => [r.verdict, r.comment])).toEqual([
      ['rejected', 'it was helpful'],
      ['approved', ''],
    ]);
  });

  it('stores a model draft of the conversation questions as the item pre-annotation', async () => {
    const peer = await startOpenAIPeer(() => 'Sure: {"helpful": "yes", "note": "<b>fine</b>"} done');
    try {
      h = await harness();
      const admin = await h.user('admin', 'admin');
      const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
        name: 'draft',
        kind: 'dialogue',
        schema: DIALOGUE_SCHEMA,
      });
      await admin.json('POST', `/projects/${project.id}/import`, {
        jsonl: JSON.stringify({
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
        }),
      });
      const r = await admin.json<{ updated: number }>('POST', `/projects/${project.id}/preannotate`, {
        baseUrl: peer.url,
        model: 'judge',
        mode: 'draft',
      });
      expect(r.updated).toBe(1);
      const { items } = await admin.json<{ items: { preAnnotation: unknown }[] }>('GET', `/projects/${project.id}/items`);
      expect(items[0]?.preAnnotation).toEqual({ source: 'model:judge', conversationAnswers: { helpful: 'yes', note: '<b>fine</b>' } });
      expect(JSON.stringify(peer.requests[0]?.body.messages ?? [])).toContain('helpful');
    } finally {
      await peer.close();
    }
  });
});
