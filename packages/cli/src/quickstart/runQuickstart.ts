import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '@puyu/core/errors';
import { buildCorpus, shippedCorpus, trainQuickstartTokenizer } from './corpusStages.js';
import { evaluateChat } from './evalStage.js';
import { PROFILES, SERVED_MODEL } from './profile.js';
import { StageRunner } from './StageRunner.js';
import { askAgent, serveWithStudio } from './serveStage.js';
import { pretrainBase, quantizeChat, sftChat } from './trainStages.js';

export interface QuickstartOptions {
  out: string;
  fast?: boolean;
  threads: number;
  /** Data-parallel model copies for pretraining and SFT (loop/dataParallel.ts in @puyu/train). */
  replicas: number;
  port: number;
  studioPort: number;
  /** Keep serving until Ctrl-C (default: when stdin and stdout are a terminal). */
  wait?: boolean;
  json?: boolean;
}

const rel = (p: string) => relative(process.cwd(), p) || '.';

/**
 * The whole chain on embedded defaults, each stage skipped when its inputs are unchanged:
 * data → tokenizer → pretrain → SFT → quantize → eval → serve + Studio → agent.
 */
export async function runQuickstart(o: QuickstartOptions): Promise<void> {
  const [{ defaultTokenizerPath }, { shippedEvalDataRoot }] = await Promise.all([import('@puyu/model'), import('@puyu/eval')]);
  const shippedTokenizer = defaultTokenizerPath();
  const evalDataRoot = shippedEvalDataRoot();
  if (!shippedTokenizer || !evalDataRoot)
    throw new ConfigError('QUICKSTART_NO_TOKENIZER', 'the shipped corpus or GSM8K items (packages/*/assets) are missing; reinstall Puyu.');
  const profile = PROFILES[o.fast ? 'fast' : 'full'];
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const corpusFiles = shippedCorpus(shippedTokenizer);
  const gsm8k = join(evalDataRoot, 'gsm8k', 'test.jsonl');
  const runner = new StageRunner(out, 8);
  process.stderr.write(
    `puyu quickstart (${profile.name}${o.fast ? ': every stage at toy size' : ''}) → ${rel(out)}; rerunning skips finished stages, a killed run resumes\n`,
  );

  const corpus = await runner.stage({
    name: 'data',
    title: "clean the shipped public-domain text (The Devil's Dictionary, Tang/Song poems) with the data pipeline; report",
    inputs: { v: 1, corpusFiles: corpusFiles.map((f) => rel(f)), gsm8k: rel(gsm8k) },
    outputs: (r) => [...r.files, r.report],
    run: () => buildCorpus({ out, inputs: corpusFiles, benchmark: gsm8k }),
  });
  const tokenizer = await runner.stage({
    name: 'tokenizer',
    title: `train a ${profile.tokenizer.vocabSize}-piece SentencePiece BPE on the cleaned corpus`,
    inputs: { v: 1, corpus: corpus.hashes, size: profile.tokenizer },
    outputs: (r) => [r.path],
    run: () => trainQuickstartTokenizer({ out, corpus, profile }),
  });
  const base = await runner.stage({
    name: 'pretrain',
    title: `pretrain a tiny InternLM2 (1.3M parameters) for ${profile.pretrain.steps} steps on the corpus and generated copy drills`,
    inputs: { v: 2, tokenizer: tokenizer.hash, corpus: corpus.hashes, sizes: profile.pretrain },
    outputs: (r) => [r.hf],
    run: () => pretrainBase({ out, tokenizer: tokenizer.path, corpus: corpus.files, profile, threads: o.threads, replicas: o.replicas }),
  });
  const chat = await runner.stage({
    name: 'sft',
    title: `fine-tune it for chat and calculator tool calls (${profile.sft.steps} steps, ${profile.sft.dialogues} generated dialogues)`,
    inputs: { v: 1, base: base.hash, sizes: profile.sft },
    outputs: (r) => [r.hf, ...r.gguf, r.heldout],
    run: () => sftChat({ out, base: base.hf, profile, threads: o.threads, replicas: o.replicas }),
  });
  const quantized = await runner.stage({
    name: 'quantize',
    title: 'quantize the chat model to q8_0 with llama.cpp',
    inputs: { v: 1, source: chat.hash },
    outputs: (r) => [r.path],
    run: () => quantizeChat({ source: chat.gguf[0] as string, out, threads: o.threads }),
  });
  const scores = await runner.stage({
    name: 'eval',
    title: 'evaluate: held-out calculator dialogues (tool calls), GSM8K items, a short NeedleBench',
    inputs: { v: 1, model: quantized.hash, sizes: profile.eval },
    outputs: (r) => Object.values(r.dirs),
    run: () =>
      evaluateChat({
        out,
        model: quantized.path,
        heldout: chat.heldout,
        evalDataRoot,
        haystack: corpusFiles[0] as string,
        profile,
        threads: o.threads,
      }),
  });
  // The model card: data, training and now the evaluations, all from the lineage manifests.
  const { writeModelCard } = await import('@puyu/core/lineage');
  const card = await writeModelCard(chat.hf, out);

  const serving = await runner.always('serve', `puyu serve on ${rel(quantized.path)} with the Studio`, async () => {
    const s = await serveWithStudio({ model: quantized.path, runs: out, port: o.port, studioPort: o.studioPort, threads: o.threads });
    process.stderr.write(`  OpenAI API  ${s.apiUrl}\n  Studio      ${s.studioUrl}\n`);
    return s;
  });
  try {
    const agent = await runner.always('agent', 'one question with the calculator tool (@puyu/agent over the API)', () =>
      askAgent({ apiUrl: serving.apiUrl, heldout: chat.heldout }),
    );
    const timings = runner.table();
    await writeFile(join(out, 'timings.md'), `${timings}\n`);
    const summary = {
      profile: profile.name,
      out,
      model: { hf: chat.hf, gguf: quantized.path, card },
      scores: { calculator: scores.calculator, gsm8k: scores.gsm8k, needlebench: scores.needlebench },
      agent,
      urls: { api: serving.apiUrl, studio: serving.studioUrl },
      stages: runner.timings,
    };
    await writeFile(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      process.stdout.write(
        [
          '',
          timings,
          '',
          `calculator: correct calls ${scores.calculator.correct_call.toFixed(3)}, answers ${scores.calculator.final_answer.toFixed(3)} (${scores.calculator.items} held-out); gsm8k ${scores.gsm8k.accuracy.toFixed(1)}%; needlebench ${scores.needlebench.score.toFixed(1)}`,
          `model card: ${rel(card)}`,
          `lineage:    npx puyu lineage ${rel(quantized.path)}`,
          `chat:       npx puyu serve ${rel(quantized.path)} --studio --runs ${rel(out)}`,
          `agent:      npx puyu agent run "What is 17.5 * 4?" --model ${serving.apiUrl.replace(/\/v1$/, '')}@${SERVED_MODEL} --protocol openai`,
          '',
        ].join('\n'),
      );
    const wait = o.wait ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
    if (wait) {
      process.stderr.write(`Serving: the API on ${serving.apiUrl}, the Studio on ${serving.studioUrl}. Ctrl-C stops both.\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    }
  } finally {
    await serving.close();
  }
}
