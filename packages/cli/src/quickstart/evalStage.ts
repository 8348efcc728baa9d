import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type QuickstartProfile, SERVED_MODEL } from './profile.js';

export interface QuickstartScores {
  calculator: { items: number; well_formed: number; correct_call: number; final_answer: number };
  /** Percent, as the eval runner reports. */
  gsm8k: { items: number; accuracy: number };
  needlebench: { items: number; score: number };
  dirs: { calculator: string; gsm8k: string; needlebench: string };
}

const rel = (p: string) => relative(process.cwd(), p);

/**
 * Stage 6: three evaluations of the quantized chat model through `puyu serve`, each a folder with a
 * lineage manifest: the held-out calculator dialogues (tool calls over the OpenAI `tools` parameter),
 * GSM8K (the shipped items, zero-shot, OpenCompass's answer extraction) and a short NeedleBench.
 */
export async function evaluateChat(o: {
  out: string;
  model: string;
  heldout: string;
  evalDataRoot: string;
  haystack: string;
  profile: QuickstartProfile;
  threads: number;
}): Promise<QuickstartScores> {
  const { startServer } = await import('@puyu/serve');
  const { writeLineage } = await import('@puyu/core/lineage');
  const server = await startServer({
    model: o.model,
    modelName: SERVED_MODEL,
    port: 0,
    sequences: 4,
    contextSize: 512,
    threads: o.threads,
  });
  const spec = `${server.url}@${SERVED_MODEL}`;
  const dirs = {
    calculator: join(o.out, 'eval', 'calculator'),
    gsm8k: join(o.out, 'eval', 'gsm8k'),
    needlebench: join(o.out, 'eval', 'needlebench'),
  };
  const p = o.profile.eval;
  try {
    // 1. Tool use: the call, then the answer from the tool's result (puyu eval calculator).
    const [{ openModel }, calc] = await Promise.all([import('@puyu/client'), import('../commands/evalCalculator.js')]);
    const items = calc.readCalculatorItems(o.heldout).slice(0, p.calculatorItems);
    const opened = await openModel({ spec });
    let calculator: QuickstartScores['calculator'];
    try {
      const records = await calc.runCalculatorEval(items, {
        provider: opened.provider,
        model: SERVED_MODEL,
        concurrency: 4,
        maxTokens: 64,
      });
      await mkdir(dirs.calculator, { recursive: true });
      calc.writeRecords(join(dirs.calculator, 'verdicts.jsonl'), records);
      const { summary: s, errors } = calc.summarize(records);
      calculator = { items: s.items, well_formed: s.wellFormedRate, correct_call: s.correctCallRate, final_answer: s.finalAnswerRate };
      await writeFile(join(dirs.calculator, 'summary.json'), `${JSON.stringify({ model: o.model, ...s, errors }, null, 2)}\n`);
      process.stderr.write(`${calc.calculatorTable([{ model: rel(o.model), summary: s, errors }])}`);
    } finally {
      await opened.provider.close?.();
    }
    await writeLineage(dirs.calculator, {
      kind: 'eval',
      command: `puyu eval calculator --models local:${rel(o.model)} --data ${rel(o.heldout)} --limit ${p.calculatorItems} --out ${rel(join(dirs.calculator, 'verdicts.jsonl'))}`,
      parents: [o.model, o.heldout],
      metrics: { calculator_correct_call: calculator.correct_call, calculator_final_answer: calculator.final_answer },
    });

    // 2. GSM8K and 3. NeedleBench through the eval runner: run folders the Studio's evaluation page reads.
    const { runEval, runNeedleBench } = await import('@puyu/eval');
    const common = { models: [spec], concurrency: 4, shardSize: 200 };
    const g = await runEval(
      {
        ...common,
        dataRoot: o.evalDataRoot,
        outDir: dirs.gsm8k,
        datasets: [{ name: 'gsm8k', limit: p.gsm8kItems, fewShot: { retriever: 'zero', k: 0 }, maxTokens: 96 }],
      },
      {
        lineage: {
          parents: [o.model],
          command: `puyu eval run --models local:${rel(o.model)} --datasets gsm8k --data-root ${rel(o.evalDataRoot)} --limit ${p.gsm8kItems}`,
        },
      },
    );
    const gsm = g.results[0];
    const n = await runNeedleBench(
      { ...common, dataRoot: o.evalDataRoot, outDir: dirs.needlebench },
      { haystacks: { en: o.haystack }, lengths: p.needleLengths, depths: p.needleDepths, kinds: ['single'], seed: 0 },
      {
        lineage: {
          parents: [o.model, o.haystack],
          command: `puyu eval needlebench --models local:${rel(o.model)} --haystack-en ${rel(o.haystack)} --lengths ${p.needleLengths.join(',')} --depths ${p.needleDepths.join(',')}`,
        },
      },
    );
    const needle = n.results[0];
    process.stderr.write(
      `  gsm8k ${gsm?.score.toFixed(1) ?? '-'} (${gsm?.samples ?? 0} items, zero-shot) · needlebench ${needle?.score.toFixed(1) ?? '-'} (${needle?.samples ?? 0} prompts) → ${rel(join(o.out, 'eval'))}\n`,
    );
    return {
      calculator,
      gsm8k: { items: gsm?.samples ?? 0, accuracy: gsm?.score ?? 0 },
      needlebench: { items: needle?.samples ?? 0, score: needle?.score ?? 0 },
      dirs,
    };
  } finally {
    await server.close();
  }
}
