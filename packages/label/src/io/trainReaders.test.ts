import { startOpenAIPeer } from '@puyu/testing';
import { parseDpoJsonl, parseSftJsonl } from '@puyu/train';
import { afterEach, describe, expect, it } from 'vitest';
import { type Client, DIALOGUE_SCHEMA, type Harness, harness } from '../fixtures/harness.js';

// The SFT and DPO exports go straight into @puyu/train's own readers (its public API), so a
// drift between what labelling writes and what `puyu train sft|dpo` reads breaks this test.
describe('training exports read by @puyu/train, with model pre-annotation', () => {
  let h: Harness;
  let peer: Awaited<ReturnType<typeof startOpenAIPeer>> | undefined;
  afterEach(async () => {
    await h?.close();
    await peer?.close();
  });

  it('pre-annotates candidates through an OpenAI-compatible peer; the SFT and DPO exports parse with no skipped line', async () => {
    peer = await startOpenAIPeer((r) =>
      r.prompt.includes('broken')
        ? { status: 400, body: { error: { message: 'no' } } }
        : [`model says ${r.prompt} (1)`, `model says ${r.prompt} (2)`],
    );
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const annotators = [await h.user('ann1', 'annotator'), await h.user('ann2', 'annotator')];
    const rev = await h.user('rev', 'reviewer');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'train',
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
      annotatorsPerItem: 2,
    });
    for (const u of [...annotators, rev]) {
      const { user } = await u.json<{ user: { id: number } }>('GET', '/auth/me');
      await admin.json('PUT', `/projects/${project.id}/members/${user.id}`);
    }
    const jsonl = [
      JSON.stringify({
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'Say hi' },
        ],
      }),
      JSON.stringify({ conversation: [{ input: 'First?', output: 'One.' }, { input: 'Second?' }] }),
      JSON.stringify({
        messages: [
          { role: 'user', content: 'broken request' },
          { role: 'assistant', content: 'kept' },
        ],
        candidates: ['also kept'],
      }),
    ].join('\n');
    expect((await admin.json<{ imported: number }>('POST', `/projects/${project.id}/import`, { jsonl })).imported).toBe(3);
    const pre = await admin.json<{ updated: number; failed: { code: string }[] }>('POST', `/projects/${project.id}/preannotate`, {
      baseUrl: peer.url,
      model: 'peer',
      mode: 'candidates',
      count: 2,
    });
    expect(pre.updated).toBe(2);
    expect(pre.failed.map((f) => f.code)).toEqual(['LABEL_PREANNOTATE_FAILED']);
    // a second run resumes: items that already have this model's candidates are not asked again
    const asked = peer.requests.length;
    await admin.json('POST', `/projects/${project.id}/preannotate`, { baseUrl: peer.url, model: 'peer', mode: 'candidates', count: 2 });
    expect(peer.requests.length).toBe(asked + 1);

    const rank = async (u: Client, reverse: boolean, rewrite: boolean) => {
      for (;;) {
        const next = await u.json<{ task: { id: number; version: number } | null; item?: { data: { candidates: { id: string }[] } } }>(
          'POST',
          `/projects/${project.id}/tasks/next`,
        );
        if (!next.task || !next.item) return;
        const ids = next.item.data.candidates.map((c) => c.id);
        await u.json('PUT', `/tasks/${next.task.id}`, {
          version: next.task.version,
          submit: true,
          result: {
            kind: 'dialogue',
            messageAnswers: { [ids[0] as string]: { issues: ['wrong'] } },
            conversationAnswers: { helpful: 'yes' },
            ranking: reverse ? [...ids].reverse() : ids,
            ...(rewrite ? { rewrite: { candidateId: ids[0], content: 'A careful rewrite.' } } : {}),
          },
        });
      }
    };
    await rank(annotators[0] as Client, false, false);
    await rank(annotators[1] as Client, false, true);
    for (;;) {
      const next = await rev.json<{ task: { id: number } | null }>('POST', `/projects/${project.id}/reviews/next`);
      if (!next.task) break;
      await rev.json('POST', `/tasks/${next.task.id}/review`, { verdict: 'approved' });
    }

    const sft = await (await admin.req('GET', `/projects/${project.id}/export?format=sft`)).text();
    const sftRead = parseSftJsonl(sft, { format: 'xtuner' });
    expect(sftRead.skipped).toEqual([]);
    expect(sftRead.dialogues.length).toBe(3);
    expect(sftRead.dialogues[0]?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(sftRead.dialogues[0]?.messages.at(-1)?.content).toBe('A careful rewrite.');
    expect(sftRead.dialogues[1]?.messages.map((m) => m.content)).toEqual(['First?', 'One.', 'Second?', 'A careful rewrite.']);

    const dpo = await (await admin.req('GET', `/projects/${project.id}/export?format=dpo`)).text();
    const dpoRead = parseDpoJsonl(dpo);
    expect(dpoRead.skipped).toEqual([]);
    expect(dpoRead.pairs.length).toBeGreaterThanOrEqual(3);
    for (const p of dpoRead.pairs) expect(p.chosen.messages.at(-1)?.content).toBe('A careful rewrite.');
  });
});
