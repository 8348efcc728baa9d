import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CITIES, makeToolModel, WEATHER_TOOL, weatherConversation } from '@puyu/testing';
import { type CalculatorDialogue, generateCalculatorData } from '@puyu/train';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CalculatorItemRecord } from './evalCalculator.js';

// End to end through the real `puyu` binary and a real `puyu serve` (local: model): the tiny tool
// model has learnt one thing, to call get_weather when asked for the weather with that tool declared.
// Its call must come back from our server as OpenAI tool_calls (not as text, and not with the
// special tokens dropped), and the scorer must see it. The calculator items only prove the pipeline
// runs on a model that never learnt them: no score is asserted.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');

let gguf = '';
beforeAll(async () => {
  ({ gguf } = await makeToolModel());
}, 300_000);

describe('puyu eval calculator on a served tiny model', () => {
  it('a model-generated tool call comes back as tool_calls through puyu serve and every item gets a verdict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-eval-calc-model-'));
    const weather: CalculatorDialogue = {
      id: 'weather-0',
      lang: 'en',
      tools: [{ type: 'function', function: { ...WEATHER_TOOL, parameters: { ...WEATHER_TOOL.parameters } } }],
      messages: weatherConversation(CITIES[0]).map((m) => ({ role: m.role as 'system' | 'user', content: m.content ?? '' })),
      turns: [{ kind: 'bare', question: 'weather', expression: '1+1', result: '2' }],
    };
    const { heldout } = generateCalculatorData({ train: 0, heldout: 2, seed: 1 });
    const data = join(dir, 'heldout.jsonl');
    writeFileSync(data, [weather, ...heldout].map((d) => `${JSON.stringify(d)}\n`).join(''));
    const out = join(dir, 'verdicts.jsonl');
    const r = spawnSync(
      process.execPath,
      [BIN, 'eval', 'calculator', '--models', `local:${gguf}`, '--data', data, '--out', out, '--max-tokens', '48', '--concurrency', '2'],
      { encoding: 'utf8', cwd: ROOT, timeout: 280_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\| local:.*model-f32\.gguf \| 3 \| /);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CalculatorItemRecord);
    expect(records.map((x) => x.id)).toEqual(['weather-0', ...heldout.map((d) => d.id)]);
    expect(records[0]).toMatchObject({
      callSource: 'tool_calls',
      call: { wellFormed: false, correct: false, reason: 'calls "get_weather", not calculator' },
      response: { tool_calls: [{ type: 'function', function: { name: 'get_weather' } }] },
    });
    expect(JSON.parse(records[0].response!.tool_calls![0].function.arguments)).toEqual({ location: CITIES[0] });
    for (const x of records) {
      expect(x.error).toBeUndefined();
      expect(typeof x.call.wellFormed).toBe('boolean');
    }
  }, 300_000);
});
