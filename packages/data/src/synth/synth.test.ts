import { spawnSync } from 'node:child_process';
import { openModel } from '@puyu/client';
import { startOpenAIPeer } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { augment } from './augment.js';
import { evalExpression, generateSynthetic } from './generate.js';
import { lastNumber } from './mathProblems.js';
import { preferencePairs } from './preferencePairs.js';

describe('synthetic data', () => {
  const recs = generateSynthetic({ kinds: ['arithmetic', 'unit_conversion', 'formula', 'calculator', 'function'], count: 200, seed: 3 });

  it('is deterministic for a seed and mixes English and Chinese', () => {
    expect(generateSynthetic({ kinds: ['arithmetic'], count: 5, seed: 3 })).toEqual(
      generateSynthetic({ kinds: ['arithmetic'], count: 5, seed: 3 }),
    );
    expect(recs.some((r) => r.lang === 'zh')).toBe(true);
    expect(recs.some((r) => r.lang === 'en')).toBe(true);
  });

  it('has worked solutions and calculator calls whose arithmetic is right', () => {
    for (const r of recs) {
      if (r.kind === 'function') continue;
      if (r.kind === 'calculator') {
        const call = (r.messages![1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!;
        expect(evalExpression(JSON.parse(call.function.arguments).expression)).toBeCloseTo(r.answer!, 6);
        continue;
      }
      const out = r.conversation!.turns[0]!.output;
      expect(lastNumber(out)).toBeCloseTo(r.answer!, 4);
    }
  });

  it('writes Python functions whose own tests pass', (ctx) => {
    if (spawnSync('python3', ['-c', 'pass']).status !== 0) {
      console.log('skipped: python3 is not installed');
      ctx.skip();
    }
    const fns = recs.filter((r) => r.kind === 'function');
    expect(fns.length).toBeGreaterThan(10);
    // One interpreter for all samples (a process per sample is slow on a loaded machine): each runs in its own namespace.
    const codes = fns.map((f) => /```python\n([\s\S]*)```/.exec(f.conversation!.turns[0]!.output)![1]!);
    const script = `import json, sys\nfor src in json.loads(sys.stdin.read()):\n    exec(src, {})\nprint("ok")`;
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(codes), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('builds DPO pairs from sampled answers ranked by the arithmetic checker', async () => {
    const prompts = recs.filter((r) => r.kind === 'arithmetic').slice(0, 6);
    // A served "model" that is right on even seeds and off by one on odd seeds, and always wrong on the last prompt.
    const peer = await startOpenAIPeer((req) => {
      const q = req.prompt;
      const p = prompts.find((x) => x.question === q);
      if (!p) return { status: 400, body: { error: { message: 'unknown prompt' } } };
      const seed = Number(req.body.seed ?? 0);
      const wrong = seed % 2 === 1 || p === prompts[5];
      return `Working it out... the answer is ${wrong ? p.answer! + 1 : p.answer}.`;
    });
    try {
      const { provider } = await openModel({ spec: `${peer.url}@m` });
      const r = await preferencePairs(
        provider,
        prompts.map((p) => ({ prompt: p.question, answer: p.answer! })),
        { samples: 4 },
      );
      expect(r.pairs).toHaveLength(5);
      expect(r.noContrast).toBe(1);
      for (const pair of r.pairs) {
        const p = prompts.find((x) => x.question === pair.prompt)!;
        expect(lastNumber(pair.chosen)).toBe(p.answer);
        expect(lastNumber(pair.rejected)).not.toBe(p.answer);
      }
      expect(r.accuracy).toBeCloseTo(10 / 24, 6);
      const aug = await augment(provider, [prompts[0]!.question], 'rewrite');
      expect(aug.failed).toBe(1); // the peer's oracle knows no rewrite prompt → counted, not thrown
    } finally {
      await peer.close();
    }
  });
});
