import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelChunk } from '../core/model.js';
import { readInternLM2Turn } from './internlm2.js';
import { readOpenAITurn } from './openai.js';
import type { ProtocolTurn } from './protocol.js';
import { readReActTurn } from './react.js';

// Transcripts of model answers in the three formats (fixtures/transcripts.json), as chunk
// sequences the way a server streams them: markers split across chunks, calls cut off by stop
// words or by the end of the stream, broken JSON. Each has the turn it must read as.
interface Expect {
  content: string;
  calls: { id?: string; name: string; arguments: unknown }[];
  issues: string[];
}
interface Transcript<C> {
  name: string;
  chunks: C[];
  expect: Expect;
}
const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures/transcripts.json'), 'utf8')) as {
  internlm2: Transcript<string>[];
  openai: Transcript<ModelChunk>[];
  react: Transcript<string>[];
};

function summary(turn: ProtocolTurn, withIds: boolean): Expect {
  return {
    content: turn.content,
    calls: turn.calls.map((c) => (withIds ? { id: c.id, name: c.name, arguments: c.arguments } : { name: c.name, arguments: c.arguments })),
    issues: turn.issues.map((i) => i.code),
  };
}

/** Every way of splitting the text in two, plus one character per chunk. */
function resplits(text: string): string[][] {
  const out: string[][] = [[...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('InternLM2 native protocol on recorded transcripts', () => {
  for (const t of fixtures.internlm2) {
    it(t.name, async () => {
      const turn = await readInternLM2Turn(t.chunks.map((text) => ({ text })));
      expect(summary(turn, false)).toEqual(t.expect);
      expect(turn.raw).toBe(t.chunks.join(''));
      // Where the stream was split must not matter.
      for (const split of resplits(t.chunks.join(''))) {
        expect(summary(await readInternLM2Turn(split.map((text) => ({ text }))), false)).toEqual(t.expect);
      }
    });
  }
  it('streams user-visible text without any piece of a marker', async () => {
    const seen: string[] = [];
    await readInternLM2Turn(
      ['Let me ', 'calc<|act', 'ion_start|><|plugin|>\n{"name": "c", "parameters": {}}'].map((text) => ({ text })),
      { onText: (t) => seen.push(t) },
    );
    expect(seen.join('')).toBe('Let me calc');
    expect(seen.some((s) => s.includes('<|'))).toBe(false);
  });
});

describe('OpenAI function calling on recorded stream deltas', () => {
  for (const t of fixtures.openai) {
    it(t.name, async () => {
      const turn = await readOpenAITurn(t.chunks);
      expect(
        summary(
          turn,
          t.expect.calls.some((c) => c.id !== undefined),
        ),
      ).toEqual(t.expect);
      // A broken call keeps its id, so the error result answers the right tool_call_id.
      for (const issue of turn.issues) expect(issue.callId).toBeTruthy();
    });
  }
});

describe('ReAct text on recorded transcripts', () => {
  for (const t of fixtures.react) {
    it(t.name, async () => {
      expect(summary(await readReActTurn(t.chunks.map((text) => ({ text }))), false)).toEqual(t.expect);
      for (const split of resplits(t.chunks.join('')).slice(0, 40)) {
        expect(summary(await readReActTurn(split.map((text) => ({ text }))), false)).toEqual(t.expect);
      }
    });
  }
});
