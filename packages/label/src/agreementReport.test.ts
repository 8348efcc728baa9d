import { afterEach, describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa, rankingTau } from './agreement.js';
import { type Client, DIALOGUE_SCHEMA, type Harness, harness } from './fixtures/harness.js';

type Next = { task: { id: number; version: number } | null; item?: { key: string; data: { candidates: { id: string }[] } } };

describe('agreement over a project', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it("computes pairwise Cohen's kappa, Fleiss' kappa and mean Kendall tau from three annotators' answers", async () => {
    h = await harness();
    const admin = await h.user('admin', 'admin');
    const { project } = await admin.json<{ project: { id: number } }>('POST', '/projects', {
      name: 'agree',
      kind: 'dialogue',
      schema: DIALOGUE_SCHEMA,
      annotatorsPerItem: 3,
    });
    const jsonl = ['p0', 'p1', 'p2', 'p3']
      .map((id) => JSON.stringify({ id, messages: [{ role: 'user', content: id }], candidates: ['x', 'y', 'z'] }))
      .join('\n');
    await admin.json('POST', `/projects/${project.id}/import`, { jsonl });
    // per annotator: helpful answer and ranking for p0..p3
    const plan: Record<string, { helpful: string[]; rankings: string[][]; issues: string[][] }> = {
      a: {
        helpful: ['yes', 'yes', 'no', 'no'],
        rankings: [
          ['c1', 'c2', 'c3'],
          ['c1', 'c2', 'c3'],
          ['c3', 'c2', 'c1'],
          ['c2', 'c1', 'c3'],
        ],
        issues: [['wrong'], [], ['rude'], ['wrong', 'rude']],
      },
      b: {
        helpful: ['yes', 'no', 'no', 'no'],
        rankings: [
          ['c1', 'c3', 'c2'],
          ['c1', 'c2', 'c3'],
          ['c3', 'c1', 'c2'],
          ['c2', 'c1', 'c3'],
        ],
        issues: [['wrong'], ['rude'], ['rude'], ['rude', 'wrong']],
      },
      c: {
        helpful: ['yes', 'yes', 'yes', 'no'],
        rankings: [
          ['c2', 'c1', 'c3'],
          ['c1', 'c2', 'c3'],
          ['c3', 'c2', 'c1'],
          ['c1', 'c2', 'c3'],
        ],
        issues: [[], [], ['rude'], ['wrong']],
      },
    };
    const clients: Record<string, Client> = {};
    for (const name of Object.keys(plan)) {
      clients[name] = await h.user(name, 'annotator');
      const { user } = await (clients[name] as Client).json<{ user: { id: number } }>('GET', '/auth/me');
      await admin.json('PUT', `/projects/${project.id}/members/${user.id}`);
    }
    for (const [name, p] of Object.entries(plan))
      for (;;) {
        const next = await (clients[name] as Client).json<Next>('POST', `/projects/${project.id}/tasks/next`);
        if (!next.task || !next.item) break;
        const i = Number(next.item.key.slice(1));
        await (clients[name] as Client).json('PUT', `/tasks/${next.task.id}`, {
          version: next.task.version,
          submit: true,
          result: {
            kind: 'dialogue',
            messageAnswers: { c1: { issues: p.issues[i] } },
            conversationAnswers: { helpful: p.helpful[i] },
            ranking: p.rankings[i],
          },
        });
      }
    const report = await admin.json<{
      questions: { questionId: string; cohen: { a: string; b: string; kappa: number }[]; fleiss: number; n: number }[];
      ranking: { kendallTau: number; pairs: number };
    }>('GET', `/projects/${project.id}/agreement`);
    const helpful = report.questions.find((q) => q.questionId === 'helpful');
    expect(helpful?.cohen.find((c) => c.a === 'a' && c.b === 'b')?.kappa).toBeCloseTo(
      cohenKappa(plan.a?.helpful ?? [], plan.b?.helpful ?? []) as number,
      12,
    );
    expect(helpful?.fleiss).toBeCloseTo(
      fleissKappa([0, 1, 2, 3].map((i) => ['a', 'b', 'c'].map((n) => plan[n]?.helpful[i] as string))) as number,
      12,
    );
    const issues = report.questions.find((q) => q.questionId === 'issues');
    expect(issues?.n).toBe(4); // message-level: one unit per (item, candidate c1)
    expect(issues?.fleiss).toBeCloseTo(
      fleissKappa([0, 1, 2, 3].map((i) => ['a', 'b', 'c'].map((n) => [...(plan[n]?.issues[i] ?? [])].sort().join('|')))) as number,
      12,
    );
    expect(report.questions.map((q) => q.questionId)).not.toContain('note'); // text questions have no categories
    let sum = 0;
    for (let i = 0; i < 4; i++)
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const)
        sum += rankingTau(plan[x]?.rankings[i] ?? [], plan[y]?.rankings[i] ?? []) as number;
    expect(report.ranking.pairs).toBe(12);
    expect(report.ranking.kendallTau).toBeCloseTo(sum / 12, 12);
  });
});
