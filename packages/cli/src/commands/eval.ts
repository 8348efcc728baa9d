import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalModelStarter } from '@puyu/client';
import { ConfigError, loadJsonConfig, parseConfig } from '@puyu/core';
import type { DatasetConfig, RunConfig, RunSummary, TokenCounter } from '@puyu/eval';
import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { choiceOption, intOption, numberOption, parseInteger } from '../options.js';
import { evalRunSummary } from './summaries.js';

// The stage is imported when an eval command runs, not when the CLI starts: `puyu --help` and
// every other command then load none of it (packages/cli/src/failures.test.ts checks).
const stage = () => import('@puyu/eval');

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const int = (name: string, min = 1) => intOption(name, { min });

function ints(name: string, min = 0) {
  return (v: string): number[] => list(v).map((x) => parseInteger(name, x, { min }));
}

/** `gsm8k`, `mmlu:ppl`, `gsm8k:sc5` → a dataset entry (inferencer and self-consistency draws after the colon). */
export function parseDatasetFlag(v: string, limit?: number): DatasetConfig {
  const [name, mode] = v.split(':');
  if (!mode) return limit ? { name, limit } : name;
  if (mode === 'gen' || mode === 'ppl') return { name, inferencer: mode, limit };
  const sc = /^sc(\d*)$/.exec(mode);
  if (sc) return { name, inferencer: 'sc', n: sc[1] ? parseInteger(`${v}: draws`, sc[1], { min: 1 }) : 5, limit };
  throw new ConfigError('CLI_BAD_OPTION', `"${v}": the part after ":" must be gen, ppl or scN (self-consistency with N draws).`);
}

/** Where `eval score` writes per-sample results by default: next to the predictions (inside an OpenCompass folder). */
function scoredPath(predictions: string, dataset: string): string {
  if (existsSync(predictions) && statSync(predictions).isDirectory()) return join(predictions, `${dataset}.scored.jsonl`);
  return `${predictions.replace(/\.jsonl?$/, '')}.scored.jsonl`;
}

/** `local:PATH.gguf` models are served in-process by @puyu/serve (through @puyu/client) on a free loopback port for the run. */
function localStarter(o: { localCtx: number; threads: number; concurrency: number }): LocalModelStarter {
  return async (path) => {
    const { localModelStarter } = await import('@puyu/client');
    return localModelStarter({ contextSize: o.localCtx, threads: o.threads, sequences: Math.min(8, o.concurrency) })(path);
  };
}

interface RunFlags {
  models?: string[];
  datasets?: string[];
  limit?: number;
  limitSeed?: number;
  opencompassLayout?: boolean;
  concurrency?: number;
  out?: string;
  dataRoot?: string;
  shardSize?: number;
  cache?: string;
  timeout?: number;
  retries?: number;
  rps?: number;
  endpointConcurrency?: number;
  apiKeyEnv?: string;
  localCtx: number;
  threads: number;
  quiet?: boolean;
  json?: boolean;
}

/** The config file (if any) with flags laid over it; NeedleBench brings its own dataset, so it needs none. */
async function buildConfig(configPath: string | undefined, o: RunFlags, needDatasets = true): Promise<RunConfig> {
  const { runConfigSchema, RUN_CONFIG_PATHS } = await stage();
  const fromFile: Record<string, unknown> = configPath
    ? { ...(await loadJsonConfig(runConfigSchema, configPath, { paths: RUN_CONFIG_PATHS })) }
    : {};
  const merged: Record<string, unknown> = { ...fromFile };
  if (o.models) merged.models = o.models;
  if (o.datasets) merged.datasets = o.datasets.map((d) => parseDatasetFlag(d, o.limit));
  if (o.limit !== undefined) merged.limit = o.limit;
  if (o.limitSeed !== undefined) merged.limitSeed = o.limitSeed;
  if (o.opencompassLayout) merged.opencompassLayout = true;
  if (o.concurrency !== undefined) merged.concurrency = o.concurrency;
  if (o.out) merged.outDir = o.out;
  if (o.dataRoot) merged.dataRoot = o.dataRoot;
  if (o.shardSize !== undefined) merged.shardSize = o.shardSize;
  if (o.cache) merged.cache = o.cache;
  if (o.timeout !== undefined) merged.timeoutMs = o.timeout * 1000;
  if (o.retries !== undefined) merged.maxRetries = o.retries;
  if (o.rps !== undefined) merged.requestsPerSecond = o.rps;
  if (o.endpointConcurrency !== undefined) merged.endpointConcurrency = o.endpointConcurrency;
  if (o.apiKeyEnv) merged.apiKeyEnv = o.apiKeyEnv;
  if (!merged.outDir) merged.outDir = join('eval-runs', new Date().toISOString().replace(/[:.]/g, '-'));
  if (!merged.models) throw new ConfigError('CLI_MISSING_OPTION', 'name the models: a CONFIG file or --models URL@model,…');
  if (!merged.datasets) {
    if (needDatasets) throw new ConfigError('CLI_MISSING_OPTION', 'name the datasets: a CONFIG file or --datasets gsm8k,mmlu,…');
    merged.datasets = ['needlebench'];
  }
  return parseConfig(runConfigSchema, merged, configPath ?? 'command line');
}

/** Runs with Ctrl-C wired to an abort: the cache keeps every finished sample, so the same command resumes. */
async function withInterrupt(fn: (signal: AbortSignal) => Promise<RunSummary>): Promise<RunSummary> {
  const ac = new AbortController();
  const onSignal = () => {
    process.stderr.write('\npuyu eval: stopping — finished samples are cached; run the same command again to resume.\n');
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function report(s: RunSummary, json?: boolean): Promise<void> {
  if (json) printJson(evalRunSummary(s));
  if (s.status === 'aborted') {
    process.stderr.write(`puyu eval: aborted; ${s.requests.sent} answers cached in ${s.outDir}. Rerun to resume.\n`);
    process.exitCode = 130;
    return;
  }
  if (json) return;
  const { summaryGrid, summaryMarkdown } = await stage();
  process.stdout.write(summaryMarkdown(summaryGrid(s.results)));
  process.stdout.write(
    `\n${s.requests.sent} requests sent, ${s.requests.cached} from cache, ${(s.wallMs / 1000).toFixed(1)} s → ${join(s.outDir, 'report.html')}\n`,
  );
}

const runOptions = (cmd: Command) =>
  cmd
    .option('--models <specs>', 'comma-separated URL@model, completions+URL@model or local:PATH.gguf', list)
    .option('--limit <n>', 'samples per dataset; across subjects (MMLU, BBH, …) an equal, seeded share each', int('--limit'))
    .option('--limit-seed <n>', 'seed of the --limit draw (default 0)', int('--limit-seed', 0))
    .option('--concurrency <n>', 'samples in flight', int('--concurrency'))
    .option('--out <dir>', 'run folder (reuse it to resume)')
    .option('--cache <file>', 'cache file (default <out>/cache.jsonl)')
    .option('--shard-size <n>', 'samples per task', int('--shard-size'))
    .option('--timeout <seconds>', 'per-request time limit', int('--timeout'))
    .option('--retries <n>', 'retries on 429/5xx/network errors', int('--retries', 0))
    .option('--rps <n>', 'request starts per second per endpoint', numberOption('--rps', { above: 0 }))
    .option('--endpoint-concurrency <n>', 'requests in flight per endpoint', int('--endpoint-concurrency'))
    .option('--api-key-env <name>', 'environment variable holding the API key (sent as Bearer)')
    .option('--local-ctx <n>', 'context size for local: models', int('--local-ctx', 16), 4096)
    .option('--threads <n>', 'CPU threads for local: models', int('--threads'), 1)
    .option('--quiet', 'no progress bar')
    .option('--json', JSON_HELP);

/** `puyu eval …`: OpenCompass's run / eval-only / summarize, NeedleBench and a CompassRank-style page. */
export function registerEvalCommands(program: Command): void {
  const evalCmd = program.command('eval').description('Evaluate models over OpenAI-compatible HTTP (OpenCompass stage)');

  runOptions(
    evalCmd
      .command('run')
      .description('Run models on datasets: cached per sample, resumable, with predictions, summary and HTML report')
      .argument('[config]', 'JSON run config (models, datasets, …); flags override it')
      .option('--datasets <names>', 'comma-separated; name:ppl for log-likelihood, name:scN for self-consistency', list)
      .option('--data-root <dir>', 'folder with the benchmark files (default ./data)')
      .option('--opencompass-layout', "also write OpenCompass's predictions/<model>/<abbr>.json files (see eval score --help)"),
  ).action(async (configPath: string | undefined, o: RunFlags) => {
    const config = await buildConfig(configPath, o);
    const { runEval } = await stage();
    const s = await withInterrupt((signal) =>
      runEval(config, {
        signal,
        startLocal: localStarter({ ...o, concurrency: config.concurrency }),
        progress: { silent: o.quiet },
      }),
    );
    await report(s, o.json);
  });

  evalCmd
    .command('score')
    .description('Score existing predictions (eval-only mode): per-sample JSONL with extracted answer and correctness')
    .requiredOption('--dataset <name>', 'dataset the predictions answer')
    .requiredOption('--predictions <path>', 'a JSONL file, an OpenCompass <abbr>.json file or an OpenCompass predictions/<model>/ folder')
    .option('--data-root <dir>', 'folder with the benchmark files', 'data')
    .option('--split <name>', 'dataset split')
    .option('--subsets <names>', 'comma-separated subjects / tasks', list)
    .option('--circular', 'circular evaluation (ids carry @circular:…)')
    .option('--style <style>', 'chat|base: the kind of model that wrote them (HumanEval cuts base completions differently)', 'chat')
    .option('--out <file>', 'per-sample output (default <predictions>.scored.jsonl)')
    .option('--json', 'print the result as one JSON object on stdout (what this command prints anyway)')
    .addHelpText(
      'after',
      `
Prediction ids:
  JSONL        one {"id", "output"} record per line; the id is the sample's id, e.g.
               {"id": "mmlu/anatomy/test/12", "output": "The answer is B."}
               (<dataset>/<subject>/<split>/<row> for MMLU, CMMLU, C-Eval; bbh/<task>/<index>; gsm8k/test/<index>).
  OpenCompass  predictions/<model>/<abbr>.json holding {"12": {"origin_prompt": …, "prediction": "B", "gold": "B"}, …};
               the key is the sample's position in its OpenCompass dataset, so key "12" of
               lukaemon_mmlu_anatomy.json is mmlu/anatomy/test/12. Split parts <abbr>_0.json, <abbr>_1.json, …
               are read in order when <abbr>.json is absent. Pass one file or the whole folder.`,
    )
    .action(
      async (o: {
        dataset: string;
        predictions: string;
        dataRoot: string;
        split?: string;
        subsets?: string[];
        circular?: boolean;
        style: string;
        out?: string;
      }) => {
        const { readAnyPredictions, scoreDataset } = await stage();
        const style = choiceOption('--style', ['chat', 'base'] as const)(o.style);
        const predictions = await readAnyPredictions(o.predictions, o.dataset, { root: o.dataRoot, split: o.split, subsets: o.subsets });
        const r = await scoreDataset(o.dataset, predictions, {
          root: o.dataRoot,
          split: o.split,
          subsets: o.subsets,
          circular: o.circular,
          style,
        });
        const out = o.out ?? scoredPath(o.predictions, o.dataset);
        writeFileSync(out, r.samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
        const grouped = r.groups ? { headline: r.headline, groups: r.groups, subsets: r.subsets } : {};
        process.stdout.write(
          `${JSON.stringify({ dataset: r.dataset, evaluator: r.evaluator, samples: r.samples.length, metrics: r.metrics, ...grouped })}\n`,
        );
        process.stderr.write(`per-sample results → ${out}\n`);
      },
    );

  evalCmd
    .command('leaderboard')
    .description('A static CompassRank-style page comparing models across datasets, with bootstrap intervals')
    .argument('<runs...>', 'run folders written by puyu eval run (later folders win on overlap)')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--title <text>', 'page title', 'Puyu leaderboard')
    .option('--resamples <n>', 'bootstrap resamples', int('--resamples', 100), 1000)
    .option('--json', JSON_HELP)
    .action(async (runs: string[], o: { out: string; title: string; resamples: number; json?: boolean }) => {
      const { collectRuns, leaderboardHtml } = await stage();
      const entries = collectRuns(runs);
      writeFileSync(o.out, leaderboardHtml(entries, { title: o.title, resamples: o.resamples }));
      if (o.json) return printJson({ results: entries.length, runs: runs.length, out: o.out });
      process.stdout.write(`${entries.length} model × dataset results from ${runs.length} runs → ${o.out}\n`);
    });

  evalCmd
    .command('judge')
    .description("LLM-as-judge: grade one model's predictions 1–10, or compare two (pairwise, both orders)")
    .requiredOption('--judge <spec>', 'judge model: URL@model')
    .requiredOption('--dataset <name>', 'dataset the predictions answer (questions and references come from it)')
    .requiredOption('--predictions <file>', 'predictions JSONL of the model judged (model A)')
    .option('--versus <file>', 'predictions JSONL of model B: pairwise comparison with position swap')
    .option('--data-root <dir>', 'folder with the benchmark files', 'data')
    .option('--no-reference', 'do not show the gold answer to the judge')
    .option('--rubric <text>', 'grading rubric')
    .option('--concurrency <n>', 'judgements in flight', int('--concurrency'), 4)
    .option('--cache <file>', 'judge answer cache (JSONL)')
    .requiredOption('--out <file>', 'per-sample judgements (JSONL)')
    .option('--json', 'print the result as one JSON object on stdout (what this command prints anyway)')
    .action(
      async (o: {
        judge: string;
        dataset: string;
        predictions: string;
        versus?: string;
        dataRoot: string;
        reference: boolean;
        rubric?: string;
        concurrency: number;
        cache?: string;
        out: string;
      }) => {
        const [
          { OpenAIProvider, parseModelSpec },
          { getDataset, judgePairwise, judgeSingle, pairwiseSummary, readPredictions, SampleCache, singleSummary },
        ] = await Promise.all([import('@puyu/client'), stage()]);
        const spec = parseModelSpec(o.judge);
        if (spec.kind !== 'openai')
          throw new ConfigError('CLI_BAD_OPTION', '--judge must be URL@model (serve a local model with puyu serve first).');
        const judge = new OpenAIProvider({ baseUrl: spec.baseUrl, model: spec.model, api: 'chat' });
        const samples = new Map((await getDataset(o.dataset).load({ root: o.dataRoot })).map((s) => [s.id, s]));
        const a = await readPredictions(o.predictions);
        const cache = o.cache ? new SampleCache(o.cache) : undefined;
        const question = (id: string) => {
          const s = samples.get(id);
          if (!s) throw new ConfigError('CLI_BAD_PREDICTIONS', `${id} is not a ${o.dataset} sample: check --dataset.`);
          const opts = s.choices?.map((c, i) => `${'ABCDEFGHIJ'[i]}. ${c}`).join('\n');
          return { q: opts ? `${s.question}\n${opts}` : s.question, reference: o.reference ? s.gold : undefined };
        };
        const opts = { judge, cache, concurrency: o.concurrency, rubric: o.rubric };
        try {
          if (o.versus) {
            const b = new Map((await readPredictions(o.versus)).map((p) => [p.id, p.output]));
            const items = a
              .filter((p) => b.has(p.id))
              .map((p) => ({
                id: p.id,
                question: question(p.id).q,
                reference: question(p.id).reference,
                answerA: p.output,
                answerB: b.get(p.id)!,
              }));
            const res = await judgePairwise(items, opts);
            writeFileSync(o.out, res.map((r) => `${JSON.stringify(r)}\n`).join(''));
            process.stdout.write(`${JSON.stringify({ pairs: res.length, ...pairwiseSummary(res) })}\n`);
          } else {
            const items = a.map((p) => ({ id: p.id, question: question(p.id).q, reference: question(p.id).reference, answer: p.output }));
            const res = await judgeSingle(items, opts);
            writeFileSync(o.out, res.map((r) => `${JSON.stringify(r)}\n`).join(''));
            process.stdout.write(`${JSON.stringify({ answers: res.length, ...singleSummary(res) })}\n`);
          }
        } finally {
          cache?.close();
        }
      },
    );

  evalCmd
    .command('calculator')
    .description('Tool use on held-out calculator dialogues: rates of well-formed calls, correct calls and final answers')
    .requiredOption('--models <specs>', 'comma-separated URL@model or local:PATH.gguf (chat route: the tools travel as OpenAI tools)', list)
    .requiredOption('--data <file>', 'held-out JSONL (heldout.jsonl written by puyu train sft with data.generate)')
    .option('--limit <n>', 'first N items', int('--limit'))
    .option('--concurrency <n>', 'items in flight', int('--concurrency'), 4)
    .option('--max-tokens <n>', 'tokens per answer', int('--max-tokens'), 256)
    .option('--out <file>', 'per-item verdicts (JSONL; default eval-runs/calculator-<time>.jsonl)')
    .option('--timeout <seconds>', 'per-request time limit', int('--timeout'), 120)
    .option('--retries <n>', 'retries on 429/5xx/network errors', int('--retries', 0), 2)
    .option('--api-key-env <name>', 'environment variable holding the API key (sent as Bearer)')
    .option('--local-ctx <n>', 'context size for local: models', int('--local-ctx', 16), 4096)
    .option('--threads <n>', 'CPU threads for local: models', int('--threads'), 1)
    .option('--json', JSON_HELP)
    .action(
      async (o: {
        json?: boolean;
        models: string[];
        data: string;
        limit?: number;
        concurrency: number;
        maxTokens: number;
        out?: string;
        timeout: number;
        retries: number;
        apiKeyEnv?: string;
        localCtx: number;
        threads: number;
      }) => {
        const [{ openModel }, calc] = await Promise.all([import('@puyu/client'), import('./evalCalculator.js')]);
        const items = calc.readCalculatorItems(o.data).slice(0, o.limit);
        const apiKey = o.apiKeyEnv ? process.env[o.apiKeyEnv] : undefined;
        if (o.apiKeyEnv && !apiKey) throw new ConfigError('CLI_MISSING_OPTION', `--api-key-env ${o.apiKeyEnv}: that variable is not set.`);
        const out = o.out ?? join('eval-runs', `calculator-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
        const rows = [];
        const all = [];
        for (const spec of o.models) {
          const opened = await openModel({
            spec,
            apiKey,
            timeoutMs: o.timeout * 1000,
            maxRetries: o.retries,
            startLocal: localStarter(o),
          });
          try {
            if (opened.api !== 'chat')
              throw new ConfigError(
                'CLI_BAD_OPTION',
                `${spec}: the calculator eval sends OpenAI tools, which need the chat route (URL@model).`,
              );
            const records = await calc.runCalculatorEval(items, { ...o, provider: opened.provider, model: spec });
            all.push(...records);
            rows.push({ model: spec, ...calc.summarize(records) });
          } finally {
            await opened.provider.close?.();
          }
        }
        calc.writeRecords(out, all);
        // A measurement: below-target rates are a result, not a failure, so the exit code stays 0.
        if (o.json) return printJson({ models: rows, out });
        process.stdout.write(calc.calculatorTable(rows));
        process.stdout.write(`per-item verdicts → ${out}\n`);
      },
    );

  const shippedPoems = fileURLToPath(new URL('../../../model/assets/corpus/tang300-song100.txt', import.meta.url));
  runOptions(
    evalCmd
      .command('needlebench')
      .description('NeedleBench: needle retrieval / multi-needle reasoning over a context-length × depth grid, with heatmaps')
      .option('--haystack-en <dir>', 'English haystack: a folder of .txt essays (e.g. the Paul Graham essays)')
      .option('--haystack-zh <file>', 'Chinese haystack: a text file of blank-line-separated texts', shippedPoems)
      .option('--languages <list>', 'en,zh (default: every language with a haystack)', list)
      .option('--lengths <tokens>', 'whole-prompt lengths in tokens', ints('--lengths', 16), [1000, 2000, 4000])
      .option('--depths <percents>', 'needle depths in percent', ints('--depths', 0), [0, 25, 50, 75, 100])
      .option('--kinds <list>', 'single (retrieval) and/or multi (reasoning)', list, ['single', 'multi'])
      .option('--hops <n>', 'needles in a multi-needle chain', int('--hops', 2), 3)
      .option('--repeats <n>', 'samples per grid cell', int('--repeats'), 1)
      .option('--length-buffer <tokens>', 'tokens kept free below each length', int('--length-buffer', 0), 0)
      .option('--tokenizer <file>', 'SentencePiece tokenizer.model for exact lengths (default: calibrated character estimate)')
      .option('--seed <n>', 'grid seed', int('--seed', 0), 0),
  ).action(
    async (
      o: RunFlags & {
        haystackEn?: string;
        haystackZh?: string;
        languages?: string[];
        lengths: number[];
        depths: number[];
        kinds: string[];
        hops: number;
        repeats: number;
        lengthBuffer: number;
        tokenizer?: string;
        seed: number;
      },
    ) => {
      const langs = o.languages ?? [...(o.haystackEn ? ['en'] : []), ...(o.haystackZh ? ['zh'] : [])];
      const haystacks: { en?: string; zh?: string } = {};
      for (const l of langs) {
        if (l !== 'en' && l !== 'zh') throw new ConfigError('CLI_BAD_OPTION', `--languages takes en and/or zh, got "${l}".`);
        const path = l === 'en' ? o.haystackEn : o.haystackZh;
        if (!path) throw new ConfigError('CLI_MISSING_OPTION', `--haystack-${l} is needed for language ${l}.`);
        haystacks[l] = resolve(path);
      }
      const kinds = o.kinds.map((k) => {
        if (k !== 'single' && k !== 'multi') throw new ConfigError('CLI_BAD_OPTION', `--kinds takes single and/or multi, got "${k}".`);
        return k;
      });
      let countTokens: TokenCounter | undefined;
      if (o.tokenizer) {
        const { SentencePieceTokenizer } = await import('@puyu/formats');
        const tok = SentencePieceTokenizer.load(o.tokenizer);
        countTokens = (text) => tok.encode(text).length;
      }
      const config = await buildConfig(undefined, { ...o, datasets: undefined }, false);
      const { runNeedleBench } = await stage();
      if (!o.out) config.outDir = join('eval-runs', `needlebench-${basename(config.outDir)}`);
      const s = await withInterrupt((signal) =>
        runNeedleBench(
          config,
          {
            haystacks,
            lengths: o.lengths,
            depths: o.depths,
            kinds,
            hops: o.hops,
            repeats: o.repeats,
            lengthBuffer: o.lengthBuffer,
            countTokens,
            seed: o.seed,
          },
          { signal, startLocal: localStarter({ ...o, concurrency: config.concurrency }), progress: { silent: o.quiet } },
        ),
      );
      await report(s, o.json);
      if (s.status === 'done' && !o.json) process.stdout.write(`heatmaps (SVG + PNG) → ${join(s.outDir, 'heatmaps')}\n`);
    },
  );
}
