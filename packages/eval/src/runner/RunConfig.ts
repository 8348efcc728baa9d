import { z } from 'zod';

const retrieverSchema = z.object({
  retriever: z.enum(['zero', 'fixed', 'random', 'bm25']),
  k: z.number().int().min(0).default(0),
  seed: z.number().int().optional(),
});

export const modelConfigSchema = z.union([
  z.string().describe('URL@model, completions+URL@model or local:PATH.gguf'),
  z.object({
    /** Same syntax as --models; alternatively give `endpoints` + `model`. */
    spec: z.string().optional(),
    /** Several replicas of one model: requests go to the least busy one. */
    endpoints: z.array(z.string().url()).min(1).optional(),
    model: z.string().optional(),
    /** Label in reports (default: the model name). */
    name: z.string().optional(),
    api: z.enum(['chat', 'completions']).optional(),
    /** Prompt style; defaults to `chat` for the chat API and `base` for completions. */
    style: z.enum(['chat', 'base']).optional(),
    apiKey: z.string().optional(),
    /** Environment variable holding the API key (keeps secrets out of config files). */
    apiKeyEnv: z.string().optional(),
    concurrency: z.number().int().positive().optional(),
    requestsPerSecond: z.number().positive().optional(),
    timeoutMs: z.number().int().positive().optional(),
    maxRetries: z.number().int().min(0).optional(),
  }),
]);

export const datasetConfigSchema = z.union([
  z.string(),
  z.object({
    name: z.string(),
    limit: z.number().int().positive().optional(),
    subsets: z.array(z.string()).optional(),
    split: z.string().optional(),
    /** gen: generation; ppl: choice log-likelihood; sc: self-consistency (n draws + majority vote). */
    inferencer: z.enum(['gen', 'ppl', 'sc']).optional(),
    n: z.number().int().positive().optional(),
    temperature: z.number().min(0).optional(),
    maxTokens: z.number().int().positive().optional(),
    fewShot: retrieverSchema.optional(),
  }),
]);

export const runConfigSchema = z.object({
  models: z.array(modelConfigSchema).min(1),
  datasets: z.array(datasetConfigSchema).min(1),
  /** Folder holding the benchmark files (`<dataRoot>/gsm8k/test.jsonl`, …). */
  dataRoot: z.string().default('data'),
  /** Run folder: predictions, results, summary, report. Reusing it resumes. */
  outDir: z.string().default('eval-runs/run'),
  /** Samples in flight across all tasks. */
  concurrency: z.number().int().positive().default(8),
  /** Samples per task (OpenCompass's size partitioner); tasks are the unit of progress bookkeeping. */
  shardSize: z.number().int().positive().default(200),
  /** Default per-dataset sample limit; datasets with subjects are sampled across them (stratified, seeded). */
  limit: z.number().int().positive().optional(),
  /** Seed of the stratified limit draw (which samples of each subject a limit keeps). */
  limitSeed: z.number().int().min(0).optional(),
  /**
   * Also write predictions in OpenCompass's layout, `predictions/<model>/<abbr>.json`
   * (`{"0": {"origin_prompt", "prediction", "gold"}, …}`, one file per OpenCompass dataset abbr).
   */
  opencompassLayout: z.boolean().optional(),
  /** Cache file (default `<outDir>/cache.jsonl`); point several runs at one file to share answers. */
  cache: z.string().optional(),
  /** Defaults for every model entry that does not set its own. */
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).optional(),
  /** Requests in flight per endpoint. */
  endpointConcurrency: z.number().int().positive().optional(),
  /** Request starts per second per endpoint. */
  requestsPerSecond: z.number().positive().optional(),
  /** Environment variable holding the API key. */
  apiKeyEnv: z.string().optional(),
});

/**
 * The file paths a run config names. Like every Puyu config file, they are relative to the
 * config file (flags on the command line are relative to the current folder, and so are
 * the defaults of fields the file leaves out).
 */
export const RUN_CONFIG_PATHS = [
  'dataRoot',
  'outDir',
  'cache',
  { key: 'models[]', prefix: 'local:' },
  { key: 'models[].spec', prefix: 'local:' },
] as const;

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type DatasetConfig = z.output<typeof datasetConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** JSON Schema of the config file (for editors and docs). */
export function runConfigJsonSchema(): unknown {
  return z.toJSONSchema(runConfigSchema, { io: 'input' });
}
