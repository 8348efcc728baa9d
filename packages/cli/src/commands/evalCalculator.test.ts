import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type OpenAIPeer, type PeerReply, type PeerRequest, startOpenAIPeer } from '@puyu/testing';
import { type CalculatorDialogue, generateCalculatorData } from '@puyu/train';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalculatorItemRecord } from './evalCalculator.js';

// Drives the real `puyu` binary (dist/ built by the suite's global setup) against a scripted OpenAI peer.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

function puyu(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const peers: OpenAIPeer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

const { heldout } = generateCalculatorData({ train: 0, heldout: 10, seed: 3 });
const dir = mkdtempSync(join(tmpdir(), 'puyu-eval-calc-'));
const data = join(dir, 'heldout.jsonl');
writeFileSync(data, heldout.map((d) => `${JSON.stringify(d)}\n`).join(''));

const lastTurn = (d: CalculatorDialogue) => d.turns.at(-1)!;
const question = (d: CalculatorDialogue) => d.messages.filter((m) => m.role === 'user').at(-1)?.content;
const answer = (message: Record<string, unknown>): PeerReply => ({
  status: 200,
  body: { choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }] },
});
const toolCall = (args: string) => ({
  content: 'Let me calculate that.',
  tool_calls: [{ id: 'c', type: 'function', function: { name: 'calculator', arguments: args } }],
});
const expr = (e: string) => JSON.stringify({ expression: e });

/**
 * Item i's script: 0–3 right call (tool_calls) and right answer; 4 right call, wrong answer;
 * 5 right call as raw InternLM2 text (a server that leaves the markers in), right answer;
 * 6 call arguments not JSON; 7 a wrong expression, then the (wrong) result it got back;
 * 8 no call at all; 9 a 400 from the server.
 */
function script(r: PeerRequest): PeerReply {
  const messages = r.body.messages as { role: string; content: string }[];
  const i = heldout.findIndex((d) => question(d) === r.prompt);
  const t = lastTurn(heldout[i]);
  const followUp = messages.at(-1)?.role === 'tool';
  if (followUp) {
    const result = JSON.parse(messages.at(-1)!.content).result as number;
    if (i === 4) return answer({ content: `The answer is ${Number(t.result) + 1}.` });
    return answer({ content: `The answer is ${result}.` });
  }
  if (i <= 4) return answer(toolCall(expr(t.expression)));
  if (i === 5)
    return answer({
      content: `Sure.<|action_start|><|plugin|>\n{"name": "calculator", "parameters": {"expression": ${JSON.stringify(t.expression)}}}<|action_end|>\n`,
    });
  if (i === 6) return answer(toolCall('{"expression": '));
  if (i === 7) return answer(toolCall(expr('1+1')));
  if (i === 8) return answer({ content: `It is ${t.result}.` });
  return { status: 400, body: { error: { message: 'bad request' } } };
}

describe('puyu eval calculator (real CLI)', () => {
  it('scores scripted answers: exact rates, per-item verdicts, the tools sent greedily, exit 0 below target', async () => {
    const peer = await startOpenAIPeer(script);
    peers.push(peer);
    const out = join(dir, 'verdicts.jsonl');
    const r = await puyu(['eval', 'calculator', '--models', `${peer.url}@m`, '--data', data, '--out', out, '--concurrency', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`| ${peer.url}@m | 10 | 0.700 | 0.600 not met | 0.500 not met | 1 |`);
    expect(r.stdout).toContain(`per-item verdicts → ${out}`);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CalculatorItemRecord);
    expect(records.map((x) => x.id)).toEqual(heldout.map((d) => d.id));
    expect(records.map((x) => x.callSource)).toEqual([...Array(5).fill('tool_calls'), 'text', 'tool_calls', 'tool_calls', 'text', 'none']);
    expect(records.map((x) => [x.call.wellFormed, x.call.correct, x.answer?.correct])).toEqual([
      ...Array(4).fill([true, true, true]),
      [true, true, false],
      [true, true, true],
      [false, false, undefined],
      [true, false, false],
      [false, false, undefined],
      [false, false, undefined],
    ]);
    expect(records[9].error?.code).toBe('PROVIDER_HTTP_400');
    expect(records[0].expected).toEqual({ expression: heldout[0].turns[0].expression, result: heldout[0].turns[0].result });
    // Every request is greedy and declares the calculator tool; the follow-up answers the model's own expression.
    for (const q of peer.requests) expect(q.body).toMatchObject({ temperature: 0, tools: heldout[0].tools });
    type Sent = { role: string; content: string; tool_calls?: unknown[] }[];
    const followUpOf = (i: number) => {
      const q = peer.requests.find((x) => x.prompt === question(heldout[i]) && (x.body.messages as Sent).at(-1)?.role === 'tool');
      return (q?.body.messages ?? []) as Sent;
    };
    expect(followUpOf(7).at(-1)?.content).toBe('{"result": 2}');
    // Item 5's follow-up carries the call as tool_calls, its prose without the action markers.
    expect(followUpOf(5).at(-2)).toMatchObject({ role: 'assistant', content: 'Sure.', tool_calls: [{ type: 'function' }] });
    expect(peer.requests).toHaveLength(10 + 7);
  });

  it('--limit takes the first items; a correct model meets both targets', async () => {
    const peer = await startOpenAIPeer((r) => {
      const i = heldout.findIndex((d) => question(d) === r.prompt);
      const t = lastTurn(heldout[i]);
      const followUp = (r.body.messages as { role: string }[]).at(-1)?.role === 'tool';
      return followUp ? answer({ content: `= ${t.result}` }) : answer(toolCall(expr(t.expression)));
    });
    peers.push(peer);
    const out = join(dir, 'limit.jsonl');
    const r = await puyu(['eval', 'calculator', '--models', `${peer.url}@m`, '--data', data, '--out', out, '--limit', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| 3 | 1.000 | 1.000 met | 1.000 met | 0 |');
    expect(peer.requests).toHaveLength(6);
  });

  it('exits 2 with a coded error for a missing file, an empty file and bad lines (by line number)', async () => {
    const missing = await puyu(['eval', 'calculator', '--models', 'http://127.0.0.1:9@m', '--data', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[CLI_INPUT_NOT_FOUND]');

    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const e = await puyu(['eval', 'calculator', '--models', 'http://127.0.0.1:9@m', '--data', empty]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('[CLI_BAD_DATA]');
    expect(e.stderr).toContain('has no items');

    const bad = join(dir, 'bad.jsonl');
    const noTurns = { ...heldout[1], turns: [] };
    const badExpr = { ...heldout[2], turns: [{ ...heldout[2].turns[0], expression: '1+' }] };
    writeFileSync(bad, [JSON.stringify(heldout[0]), '{oops', JSON.stringify(noTurns), '', JSON.stringify(badExpr), '[]'].join('\n'));
    const b = await puyu(['eval', 'calculator', '--models', 'http://127.0.0.1:9@m', '--data', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('[CLI_BAD_DATA]');
    expect(b.stderr).toContain('4 bad line(s)');
    expect(b.stderr).toMatch(/line 2: not JSON/);
    expect(b.stderr).toMatch(/line 3: .*"turns"/);
    expect(b.stderr).toMatch(/line 5: calc-heldout-000002: /);
    expect(b.stderr).toMatch(/line 6: not a JSON object/);

    const base = await puyu(['eval', 'calculator', '--models', 'completions+http://127.0.0.1:9@m', '--data', data]);
    expect(base.code).toBe(2);
    expect(base.stderr).toContain('[CLI_BAD_OPTION]');
  });
});
