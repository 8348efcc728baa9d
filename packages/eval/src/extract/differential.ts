/**
 * The differential check against OpenCompass: fixtures/opencompass-goldens.jsonl holds generated
 * model outputs with what OpenCompass's functions (scripts/reference/opencompass_postprocess.py)
 * return for them. `compareGoldens` replays them through a set of extractors (ours by default;
 * the before/after table in extract/README.md also ran it on the previous code) and counts, per
 * extractor, the cases whose every recorded field agrees.
 */
import { readFileSync } from 'node:fs';
import { bbhFreeform, bbhFreeformEqual, bbhMcq } from './bbh.js';
import { humanevalInternalV2Postprocess, humanevalPostprocessV2, humanevalProgram } from './code.js';
import { mathEquiv, mathExtract } from './math.js';
import { gsm8kEqual, gsm8kExtract, gsm8kGold } from './numbers.js';
import { firstCapital, firstOption } from './options.js';

export const GOLDENS_URL = new URL('./fixtures/opencompass-goldens.jsonl', import.meta.url);
export const HE_PROMPT = 'def add(a, b):\n    """Add two numbers."""\n';
export const HE_TEST = 'def check(candidate):\n    assert candidate(2, 3) == 5\n';

export interface GoldenCase {
  kind: string;
  input: string;
  out: string;
  options?: string;
  cushion?: boolean;
  answer?: string;
  gold?: string | null;
  target?: string;
  equal?: boolean;
  program?: string;
}

/** The functions under test, in OpenCompass's shapes (`gsm8kExtract`'s null is its 'NULL'). */
export interface Extractors {
  firstOption(text: string, options: string, cushion: boolean): string;
  firstCapital(text: string): string;
  gsm8kExtract(text: string): string | null;
  gsm8kGold(answer: string): string;
  gsm8kEqual(pred: string | null, gold: string): boolean;
  mathExtract(text: string): string;
  mathEquiv(pred: string | null, gold: string | null): boolean;
  bbhMcq(text: string): string;
  bbhFreeform(text: string): string;
  /** Extracted prediction vs raw target, as the evaluator compares them. */
  bbhFreeformEqual(extracted: string, target: string): boolean;
  humanevalCompletion(text: string): string;
  humanevalProgram(prompt: string, output: string, test: string, entryPoint: string): string;
  /** The base-model rule (OpenCompass's humaneval_internal_v2_postprocess) and its program. */
  humanevalBaseCompletion(text: string): string;
  humanevalBaseProgram(prompt: string, output: string, test: string, entryPoint: string): string;
}

export const ours: Extractors = {
  firstOption,
  firstCapital,
  gsm8kExtract,
  gsm8kGold,
  gsm8kEqual,
  mathExtract: (t) => mathExtract(t),
  mathEquiv: (p, g) => mathEquiv(p, g),
  bbhMcq,
  bbhFreeform,
  bbhFreeformEqual,
  humanevalCompletion: humanevalPostprocessV2,
  humanevalProgram: (p, o, t, e) => humanevalProgram(p, o, t, e),
  humanevalBaseCompletion: humanevalInternalV2Postprocess,
  humanevalBaseProgram: (p, o, t, e) => humanevalProgram(p, o, t, e, { postprocess: 'internal_v2' }),
};

export function readGoldens(url: URL = GOLDENS_URL): { meta: Record<string, unknown>; cases: GoldenCase[] } {
  const rows = readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GoldenCase & Record<string, unknown>);
  return { meta: rows[0], cases: rows.slice(1) };
}

/** What our functions give for one case, in the golden's fields. */
export function replay(c: GoldenCase, x: Extractors): Partial<GoldenCase> {
  switch (c.kind) {
    case 'first-option':
      return { out: x.firstOption(c.input, c.options ?? 'ABCD', c.cushion ?? true) };
    case 'first-capital':
      return { out: x.firstCapital(c.input) };
    case 'gsm8k': {
      const out = x.gsm8kExtract(c.input) ?? 'NULL';
      const gold = x.gsm8kGold(c.answer ?? '');
      return { out, gold, equal: x.gsm8kEqual(out === 'NULL' ? null : out, gold) };
    }
    case 'math': {
      const out = x.mathExtract(c.input);
      return { out, equal: x.mathEquiv(out, c.gold ?? null) };
    }
    case 'bbh-mcq': {
      const out = x.bbhMcq(c.input);
      const gold = x.bbhMcq(c.target ?? '');
      return { out, gold, equal: out === gold };
    }
    case 'bbh-freeform': {
      const out = x.bbhFreeform(c.input);
      return { out, gold: x.bbhFreeform(c.target ?? ''), equal: x.bbhFreeformEqual(out, c.target ?? '') };
    }
    case 'humaneval':
      return { out: x.humanevalCompletion(c.input), program: x.humanevalProgram(HE_PROMPT, c.input, HE_TEST, 'add') };
    case 'humaneval-base':
      return { out: x.humanevalBaseCompletion(c.input), program: x.humanevalBaseProgram(HE_PROMPT, c.input, HE_TEST, 'add') };
    default:
      throw new Error(`unknown golden kind ${c.kind}`);
  }
}

export interface Disagreement {
  kind: string;
  input: string;
  field: string;
  opencompass: unknown;
  ours: unknown;
}

/** Per extractor: cases and agreements; plus the disagreements themselves. */
export function compareGoldens(
  cases: readonly GoldenCase[],
  x: Extractors = ours,
): { table: Record<string, { cases: number; agreements: number }>; disagreements: Disagreement[] } {
  const table: Record<string, { cases: number; agreements: number }> = {};
  const disagreements: Disagreement[] = [];
  for (const c of cases) {
    table[c.kind] ??= { cases: 0, agreements: 0 };
    const row = table[c.kind];
    row.cases++;
    let got: Partial<GoldenCase>;
    try {
      got = replay(c, x);
    } catch (e) {
      disagreements.push({ kind: c.kind, input: c.input, field: 'throws', opencompass: c.out, ours: String(e) });
      continue;
    }
    const bad = Object.entries(got).filter(([k, v]) => v !== (c as unknown as Record<string, unknown>)[k]);
    if (bad.length === 0) row.agreements++;
    for (const [field, v] of bad) {
      disagreements.push({ kind: c.kind, input: c.input, field, opencompass: (c as unknown as Record<string, unknown>)[field], ours: v });
    }
  }
  return { table, disagreements };
}
