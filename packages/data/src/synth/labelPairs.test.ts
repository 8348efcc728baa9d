import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dpoLines, parseDialogueJsonl, recordLine } from '@puyu/label';
import { describe, expect, it } from 'vitest';
import { type Dialogue, labelRecord } from './fixtures/labelRecord.js';
import { labelPairs } from './labelPairs.js';

// Three dialogues as `puyu label import` parses them (OpenAI messages + candidates to rank).
const { dialogues } = parseDialogueJsonl(
  [
    { messages: [{ role: 'user', content: 'Q1' }], candidates: ['a1', 'b1', 'c1'] },
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q2' },
      ],
      candidates: ['a2', 'b2'],
    },
    { messages: [{ role: 'user', content: 'Q3' }], candidates: ['a3', 'b3'] },
  ]
    .map((x) => JSON.stringify(x))
    .join('\n'),
);
const [q1, q2, q3] = dialogues as [Dialogue, Dialogue, Dialogue];

function write(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'puyu-label-pairs-')), 'export.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('labelPairs (reading @puyu/label exports)', () => {
  const records = [
    // Two annotators disagree on the middle; by mean position c3 is best and c1 worst.
    labelRecord(q1, [{ ranking: ['c3', 'c2', 'c1'] }, { ranking: ['c2', 'c3', 'c1'] }, { ranking: ['c3', 'c1', 'c2'] }]),
    // Opposite rankings: every candidate has the same mean position, a tie.
    labelRecord(q2, [{ ranking: ['c1', 'c2'] }, { ranking: ['c2', 'c1'] }]),
    labelRecord(q3, [{ ranking: ['c2', 'c1'] }]),
  ];

  it('reads the labels export: best against worst by mean rank, ties counted, other prompts unmatched', async () => {
    const path = write(records.map((r) => recordLine(r, 'labels')));
    const r = await labelPairs(path, ['Q1', 'Q2']);
    expect(r.pairs).toEqual([{ prompt: 'Q1', chosen: 'c1', rejected: 'a1' }]);
    expect(r).toMatchObject({ matchedPrompts: 1, ties: 1, unmatched: 1, unlabelled: 0, malformed: 0 });
    expect(r.examples.unmatched).toEqual(['line 3: Q3']);
  });

  it('reads the dpo export as the annotators’ pairs, and counts lines of other shapes as malformed', async () => {
    const lines = records.flatMap((r) => dpoLines(r));
    // label pairs the consensus best with each worse candidate: Q1 gives two lines, Q2 and Q3 one each.
    // label breaks Q2's tie by candidate order, so a dpo export cannot show a tie: read labels/audits for that.
    expect(lines).toHaveLength(4);
    const path = write([...lines, '{"key":"img","kind":"image","data":{"kind":"image"}}', '[1,2]', '{oops']);
    const r = await labelPairs(path, ['Q1', 'Q2', 'Q3']);
    expect(r.pairs).toEqual([
      { prompt: 'Q1', chosen: 'c1', rejected: 'b1' },
      { prompt: 'Q1', chosen: 'c1', rejected: 'a1' },
      { prompt: 'Q2', chosen: 'a2', rejected: 'b2' },
      { prompt: 'Q3', chosen: 'b3', rejected: 'a3' },
    ]);
    expect(r).toMatchObject({ matchedPrompts: 3, ties: 0, unmatched: 0, malformed: 3 });
    expect(r.examples.malformed).toEqual([
      'line 5: neither a labels/audits dialogue line nor a dpo line',
      'line 6: not an object',
      'line 7: not JSON',
    ]);
  });
});
