/**
 * OpenCompass's prediction files, both ways. OpenCompass writes one JSON file per model and
 * OpenCompass dataset — `predictions/<model>/<abbr>.json`, one abbr per subject for MMLU
 * (`lukaemon_mmlu_anatomy`), CMMLU, C-Eval and BBH — holding `{"0": {"origin_prompt", "prediction",
 * "gold"}, …}` keyed by the sample's index in that dataset (GenInferencerOutputHandler in
 * opencompass/openicl/icl_inferencer/icl_base_inferencer.py). When its size partitioner splits a
 * large dataset, each part is written as `<abbr>_0.json`, `<abbr>_1.json`, … with keys restarting at
 * "0"; its evaluator reads `<abbr>.json` when present, else the parts in order, concatenated
 * (OpenICLEvalTask._load_predictions in opencompass/tasks/openicl_eval.py). We do the same.
 *
 * A key is the sample's position among the samples of its abbr in the full split, in file order:
 * key "12" of `lukaemon_mmlu_anatomy.json` is row 13 of anatomy's test CSV, our id
 * `mmlu/anatomy/test/12`. A run with --limit writes only the chosen keys, so its files have gaps
 * (OpenCompass's own evaluator wants keys 0…n−1; ours does not).
 *
 * What OpenCompass's files cannot hold we add under keys it ignores: `choice_logprobs` (PPL
 * inference) and `error` (a provider failure), so a round trip scores identically.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { InferredPrediction } from '../inferencers/Inferencer.js';
import { type DatasetDef, type EvalSample, EvaluationError, type OpenCompassNames, type Prediction } from '../types.js';

/** A dataset's OpenCompass names; a dataset without them is one OpenCompass dataset called like ours. */
export function openCompassNames(def: Pick<DatasetDef, 'name' | 'openCompass'>): OpenCompassNames {
  return def.openCompass ?? { abbr: () => def.name };
}

/** Every sample of the full split by abbr, in file order: the index a key names. */
function byAbbr(all: readonly EvalSample[], names: OpenCompassNames): Map<string, EvalSample[]> {
  const out = new Map<string, EvalSample[]>();
  for (const s of all) {
    const abbr = names.abbr(s);
    const list = out.get(abbr) ?? [];
    list.push(s);
    out.set(abbr, list);
  }
  return out;
}

/** OpenCompass's `origin_prompt`: the text for base models, a list of `{role, prompt}` turns (its PromptList) for chat. */
function originPrompt(p: InferredPrediction['prompt']): unknown {
  if (typeof p === 'string') return p;
  if (p.style === 'base') return p.text;
  const role = { system: 'SYSTEM', user: 'HUMAN', assistant: 'BOT' } as const;
  return p.messages.map((m) => ({ role: role[m.role], prompt: m.content }));
}

/**
 * Writes one unit's predictions as `<dir>/<abbr>.json` files; `all` is the full split (the keys
 * are positions in it). Returns the file names written, in abbr order.
 */
export function writeOpenCompassPredictions(
  dir: string,
  def: Pick<DatasetDef, 'name' | 'openCompass'>,
  all: readonly EvalSample[],
  preds: readonly InferredPrediction[],
): string[] {
  const names = openCompassNames(def);
  const index = new Map<string, { abbr: string; key: number; sample: EvalSample }>();
  for (const [abbr, list] of byAbbr(all, names)) {
    list.forEach((sample, key) => {
      index.set(sample.id, { abbr, key, sample });
    });
  }
  const files = new Map<string, [number, Record<string, unknown>][]>();
  for (const p of preds) {
    const at = index.get(p.id);
    if (!at) continue; // not a sample of the split (cannot happen for a run's own predictions)
    const entry: Record<string, unknown> = {
      origin_prompt: originPrompt(p.prompt),
      prediction: p.outputs && p.outputs.length > 1 ? p.outputs : p.output,
      gold: at.sample.gold,
    };
    if (p.choiceLogprobs) entry.choice_logprobs = p.choiceLogprobs;
    if (p.error) entry.error = p.error;
    const list = files.get(at.abbr) ?? [];
    list.push([at.key, entry]);
    files.set(at.abbr, list);
  }
  const written: string[] = [];
  for (const [abbr, entries] of files) {
    entries.sort((a, b) => a[0] - b[0]);
    // OpenCompass dumps with indent=4 and ensure_ascii=False; JSON.stringify keeps non-ASCII text as is too.
    writeFileSync(join(dir, `${abbr}.json`), `${JSON.stringify(Object.fromEntries(entries.map(([k, e]) => [String(k), e])), null, 4)}\n`);
    written.push(`${abbr}.json`);
  }
  return written;
}

/**
 * The keys of a (valid) JSON text's top-level object, in order, duplicates kept: `JSON.parse`
 * silently keeps the last of two equal keys, which would drop a prediction without a word.
 */
export function topLevelKeys(text: string): string[] {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const str = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return text.slice(start, i);
  };
  const skipValue = () => {
    ws();
    if (text[i] === '"') {
      str();
      return;
    }
    if (text[i] !== '{' && text[i] !== '[') {
      while (i < text.length && !',}]'.includes(text[i])) i++; // a number or literal
      return;
    }
    for (let depth = 0; i < text.length; ) {
      const c = text[i];
      if (c === '"') {
        str();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      i++;
      if (depth === 0) return;
    }
  };
  const keys: string[] = [];
  ws();
  if (text[i] !== '{') return keys;
  i++;
  for (;;) {
    ws();
    if (text[i] !== '"') break; // '}': the end
    keys.push(JSON.parse(str()) as string);
    ws();
    i++; // ':'
    skipValue();
    ws();
    if (text[i] !== ',') break;
    i++;
  }
  return keys;
}

const fail = (code: string, message: string) => new EvaluationError(code, message);

/** One OpenCompass file's entries in key order, checked: a non-empty object of objects, keys unique and numeric. */
function readFile(path: string): [number, Record<string, unknown>][] {
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '')
    throw fail('EVAL_PREDICTIONS_EMPTY', `${path} is empty: rerun the inference that writes it, or leave the file out.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail('EVAL_BAD_PREDICTION', `${path} is not JSON (${(e as Error).message}). OpenCompass files hold {"0": {"prediction": …}, …}.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw fail('EVAL_BAD_PREDICTION', `${path} is not a JSON object. OpenCompass files hold {"0": {"prediction": …}, …}.`);
  const keys = topLevelKeys(text);
  if (keys.length === 0)
    throw fail('EVAL_PREDICTIONS_EMPTY', `${path} holds no predictions ({}): rerun the inference that writes it, or leave the file out.`);
  const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (dup.length)
    throw fail(
      'EVAL_DUPLICATE_PREDICTION_IDS',
      `${path} has key(s) ${[...new Set(dup)].slice(0, 5).join(', ')} more than once: keep one entry per sample.`,
    );
  return Object.entries(data as Record<string, unknown>).map(([k, v]) => {
    if (!/^(0|[1-9]\d*)$/.test(k))
      throw fail(
        'EVAL_UNKNOWN_PREDICTION_IDS',
        `${path}: key "${k}" is not a sample index; OpenCompass keys are "0", "1", … (the sample's position in its subject).`,
      );
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw fail('EVAL_BAD_PREDICTION', `${path}: entry "${k}" is not an object with a "prediction".`);
    return [Number(k), v as Record<string, unknown>];
  });
}

/** `<abbr>.json` when it exists, else its parts `<abbr>_0.json`, `_1.json`, … with keys offset by the parts before (OpenCompass's order). */
function readAbbr(dir: string, abbr: string): [number, Record<string, unknown>][] | undefined {
  const whole = join(dir, `${abbr}.json`);
  if (existsSync(whole)) return readFile(whole);
  if (!existsSync(join(dir, `${abbr}_0.json`))) return undefined;
  const out: [number, Record<string, unknown>][] = [];
  let offset = 0;
  for (let part = 0; existsSync(join(dir, `${abbr}_${part}.json`)); part++) {
    const entries = readFile(join(dir, `${abbr}_${part}.json`));
    // Each part's keys restart at 0 and OpenCompass concatenates them in key order.
    for (const [k, e] of entries) out.push([offset + k, e]);
    offset += entries.length;
  }
  return out;
}

function toPrediction(path: string, key: number, sample: EvalSample, e: Record<string, unknown>): Prediction {
  const pred = e.prediction;
  const many = Array.isArray(pred) && pred.every((x) => typeof x === 'string');
  if (typeof pred !== 'string' && !many)
    throw fail('EVAL_BAD_PREDICTION', `${path}: entry "${key}" has no "prediction" string (or list of strings).`);
  const out: Prediction = many
    ? { id: sample.id, output: (pred as string[])[0] ?? '', outputs: pred as string[] }
    : { id: sample.id, output: pred as string };
  if (Array.isArray(e.choice_logprobs)) out.choiceLogprobs = e.choice_logprobs.map(Number);
  if (e.error && typeof e.error === 'object') out.error = e.error as Prediction['error'];
  return out;
}

/**
 * Reads OpenCompass predictions for one dataset: `path` is a model folder
 * (`predictions/<model>/`: every file of the dataset's abbrs, others ignored), one `<abbr>.json`,
 * or one part `<abbr>_N.json` (all parts of that abbr are read, as the keys need them).
 * `all` is the dataset's full split, which the keys index.
 */
export function readOpenCompassPredictions(
  path: string,
  def: Pick<DatasetDef, 'name' | 'openCompass'>,
  all: readonly EvalSample[],
): Prediction[] {
  const names = openCompassNames(def);
  const groups = byAbbr(all, names);
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  let abbrs: string[];
  if (isDir) {
    abbrs = [...groups.keys()];
  } else {
    const stem = basename(path).replace(/\.json$/, '');
    const part = /^(.*)_\d+$/.exec(stem)?.[1];
    const abbr = groups.has(stem) ? stem : part !== undefined && groups.has(part) ? part : undefined;
    if (abbr === undefined) {
      const known = [...groups.keys()];
      throw fail(
        'EVAL_UNKNOWN_PREDICTION_FILE',
        `${path}: "${stem}" is not an OpenCompass dataset of ${def.name} (its files are ${known.slice(0, 3).join(', ')}${known.length > 3 ? ', …' : ''} + .json). Check --dataset and --split.`,
      );
    }
    if (!existsSync(path) && !existsSync(join(dir, `${abbr}_0.json`)))
      throw fail(
        'EVAL_PREDICTIONS_MISSING',
        `${path} does not exist, nor does ${join(dir, `${abbr}_0.json`)}: check the path (OpenCompass writes predictions/<model>/<abbr>.json).`,
      );
    abbrs = [abbr];
  }
  const out: Prediction[] = [];
  for (const abbr of abbrs) {
    const entries = readAbbr(dir, abbr);
    if (!entries) continue;
    const samples = groups.get(abbr)!;
    for (const [key, e] of entries) {
      const sample = samples[key];
      if (!sample)
        throw fail(
          'EVAL_UNKNOWN_PREDICTION_IDS',
          `${join(dir, abbr)}.json: key "${key}" is past the ${samples.length} samples of ${abbr}. Check --dataset, --split and --subsets.`,
        );
      out.push(toPrediction(join(dir, `${abbr}.json`), key, sample, e));
    }
  }
  if (out.length === 0) {
    const example = [...groups.keys()][0] ?? def.name;
    throw fail(
      'EVAL_PREDICTIONS_MISSING',
      `${path} holds no OpenCompass prediction file of ${def.name} (e.g. ${example}.json or ${example}_0.json): check the folder and --dataset.`,
    );
  }
  return out;
}
