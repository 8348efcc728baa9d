/**
 * HumanEval: each output becomes prompt + completion + test + `check(entry_point)` (the original
 * harness's program, the output cut by OpenCompass's rule for the model kind — `humaneval_postprocess_v2`
 * for chat models, `humaneval_internal_v2_postprocess` for base models — unless `repairCompletion`) and runs in the Python sandbox; pass@k is estimated from the n outputs per
 * problem. Metrics are `humaneval_pass@k` percentages for every k ≤ n in `ks`.
 */
import { type HumanEvalPostprocess, humanevalProgram } from '../extract/code.js';
import { runPython, type SandboxOptions, type SandboxStatus } from '../sandbox/PythonSandbox.js';
import { type EvalResult, type EvalSample, EvaluationError, type Evaluator, type Prediction, type ScoredSample } from '../types.js';
import { indexPredictions } from './AnswerEvaluator.js';
import { passAtK } from './passAtK.js';

export interface HumanEvalOptions extends SandboxOptions {
  ks?: readonly number[];
  /**
   * Ours, raises scores: repair bare bodies and full definitions instead of OpenCompass's
   * `humaneval_postprocess_v2` (see extract/code.ts). Off by default.
   */
  repairCompletion?: boolean;
  /** OpenCompass's rule: `v2` (chat models, the default) or `internal_v2` (base models). */
  postprocess?: HumanEvalPostprocess;
  /** Programs run at once (default 2: these machines have two cores). */
  concurrency?: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export class HumanEvalEvaluator implements Evaluator {
  readonly name = 'humaneval';
  constructor(private readonly opts: HumanEvalOptions = {}) {}

  async score(samples: readonly EvalSample[], predictions: readonly Prediction[]): Promise<EvalResult> {
    const byId = indexPredictions(predictions);
    const jobs: { sample: number; output: string }[] = [];
    const outputsOf = samples.map((s, i) => {
      const p = byId.get(s.id);
      const outs = p ? (p.outputs && p.outputs.length > 0 ? p.outputs : [p.output]) : [];
      for (const output of outs) jobs.push({ sample: i, output });
      return outs;
    });
    const results = await mapLimit(jobs, this.opts.concurrency ?? 2, async (job) => {
      const s = samples[job.sample];
      const test = s.meta.test;
      const entry = s.meta.entryPoint;
      if (typeof test !== 'string' || typeof entry !== 'string') {
        throw new EvaluationError('EVAL_NOT_HUMANEVAL', `${s.id} has no meta.test / meta.entryPoint; it is not a HumanEval sample.`);
      }
      const r = await runPython(
        humanevalProgram(s.question, job.output, test, entry, {
          repairCompletion: this.opts.repairCompletion,
          postprocess: this.opts.postprocess,
        }),
        {
          timeoutMs: 10_000,
          ...this.opts,
        },
      );
      return { ...job, status: r.status, stderr: r.stderr.slice(-500) };
    });
    const statuses = samples.map(() => [] as { status: SandboxStatus; stderr: string }[]);
    for (const r of results) statuses[r.sample].push({ status: r.status, stderr: r.stderr });
    const ks = this.opts.ks ?? [1, 10, 100];
    const sums = new Map<number, { total: number; count: number }>();
    const scored: ScoredSample[] = samples.map((s, i) => {
      const st = statuses[i];
      const n = st.length;
      const c = st.filter((x) => x.status === 'passed').length;
      for (const k of ks) {
        if (k > n) continue;
        const acc = sums.get(k) ?? { total: 0, count: 0 };
        acc.total += passAtK(n, c, k);
        acc.count++;
        sums.set(k, acc);
      }
      return {
        id: s.id,
        gold: s.gold,
        output: outputsOf[i][0] ?? '',
        extracted: st[0]?.status ?? null,
        correct: n > 0 && st[0].status === 'passed',
        score: n > 0 ? c / n : 0,
        detail: {
          n,
          passed: c,
          statuses: st.map((x) => x.status),
          ...(st[0] && st[0].status !== 'passed' ? { stderr: st[0].stderr } : {}),
        },
      };
    });
    const metrics: Record<string, number> = {};
    for (const k of ks) {
      const acc = sums.get(k);
      // pass@k is reported only when every problem has at least k samples, as the harness requires.
      if (acc && acc.count === samples.length && samples.length > 0) metrics[`humaneval_pass@${k}`] = (100 * acc.total) / acc.count;
    }
    return { dataset: samples[0]?.dataset ?? 'humaneval', evaluator: this.name, metrics, samples: scored };
  }
}
