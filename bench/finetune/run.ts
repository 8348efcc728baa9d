/**
 * Fine-tuning step time and peak memory (issue 11), on one model and one set of SFT batches, each
 * trainer a child process of this one, their order rotated every repetition:
 *   sft      ours, full-parameter SFT exactly as `puyu train sft` runs it (sft() on the shared loop)
 *   lora     ours, LoRA (rank 8, every linear module) on the same frozen model and data (`puyu train lora`)
 *   pytorch  full-parameter SFT in PyTorch CPU fp32 on the very rows our batcher packed: same
 *            weights, tokens, packing (block-diagonal attention, restarting positions) and
 *            assistant-only masked loss, clip + AdamW (torch_sft.py)
 * Prints the CPU, the ggml CPU variant, the load average before and after (with a warning when
 * the machine is busy), the median step time and peak RSS of each trainer, the ratios per
 * repetition, and the step-1 loss of each (the same model on the same batch: they must agree).
 *
 *   npm run bench:finetune [-- --steps 6 --reps 2 --batch 2 --seq 512 --peers sft,lora,pytorch]
 *
 * The first step of every child is warm-up (graph build) and not timed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTokenizer } from '@puyu/formats';
import { cpuVariantOf } from '@puyu/ggml';
import { defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import * as train from '@puyu/train';
import { median, OPTIM, type PeerResult, ROOT, referenceConfig } from '../train/benchSetup.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '6' },
    reps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '2' },
    seq: { type: 'string', default: '512' },
    rank: { type: 'string', default: '8' },
    python: { type: 'string', default: '/usr/bin/python3' },
    // as bench/train: a folder with OpenBLAS's libblas.so.3 for Debian's torch (else the reference BLAS)
    // (unpacked without touching the system: apt-get download libopenblas0-pthread && dpkg -x *.deb .cache/openblas)
    'torch-blas': {
      type: 'string',
      default:
        process.env.PUYU_BENCH_TORCH_BLAS ??
        ['/usr/lib/x86_64-linux-gnu/openblas-pthread', join(ROOT, '.cache/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread')].find((d) =>
          existsSync(join(d, 'libblas.so.3')),
        ),
    },
    peers: { type: 'string', default: 'sft,lora,pytorch' },
  },
});
const steps = Number(values.steps) + 1; // + the untimed warm-up step
const reps = Number(values.reps);
const B = Number(values.batch);
const T = Number(values.seq);
const { readSftJsonl, SftBatcher, tokenizeSftDialogues, writeCalculatorData } = train;
const hasLora = 'lora' in train;
if (!hasLora) console.log('lora: skipped — this build of @puyu/train does not export the LoRA method yet.');
const names = (values.peers as string).split(',').filter((p) => ['sft', 'pytorch'].includes(p) || (p === 'lora' && hasLora));

// 1. The machine, as the numbers depend on it.
const cores = cpus().length;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadBefore = loadavg()[0];
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cores} logical cores; load average (1, 5, 15 min) before: ${load()}`);
if (loadBefore > cores * 0.5)
  console.log(
    `WARNING: load average ${loadBefore.toFixed(2)} on ${cores} cores — the machine is busy; these figures are measured under load.`,
  );

// 2. One model (bench/train's reference shape, its context raised to seq) and the SFT data.
const dir = mkdtempSync(join(tmpdir(), 'puyu-bench-finetune-'));
const tokPath = defaultTokenizerPath() as string;
const tokenizer = loadTokenizer(tokPath);
const config = makeInternLM2Config({
  ...referenceConfig(),
  max_position_embeddings: T,
  bos_token_id: tokenizer.bosId,
  eos_token_id: tokenizer.eosId,
  pad_token_id: tokenizer.eosId,
});
const hf = join(dir, 'hf');
await saveHfModel(hf, config, initInternLM2(config, { seed: 1234 }), { tokenizer: tokPath });
const data = (await writeCalculatorData(join(dir, 'data'), { train: 200, heldout: 0, seed: 0 })).files.train;
const trainCfg = {
  seq_len: T,
  batch_size: B,
  grad_accum: 1,
  steps,
  lr: OPTIM.lr,
  min_lr: OPTIM.lr,
  warmup_steps: 0,
  weight_decay: OPTIM.weightDecay,
  beta1: OPTIM.beta1,
  beta2: OPTIM.beta2,
  eps: OPTIM.eps,
  grad_clip: OPTIM.clip,
  seed: 7,
  threads: 1,
};
const configFor = (peer: string, rep: number) => {
  const path = join(dir, `${peer}-${rep}.json`);
  const cfg: Record<string, unknown> = {
    init_from: hf,
    data: { train: [data] },
    train: trainCfg,
    eval: { every: steps, batches: 1 },
    checkpoint: { every: steps, keep_last: 1 },
    output: { dir: join(dir, `${peer}-${rep}`), gguf: [] },
  };
  if (peer === 'lora') cfg.lora = { rank: Number(values.rank), alpha: 2 * Number(values.rank), dropout: 0.05 };
  writeFileSync(path, JSON.stringify(cfg));
  return path;
};
// The rows sft() will train on, packed by the same batcher with the same seed, for the PyTorch peer.
const { dialogues } = await readSftJsonl(data);
const { examples } = tokenizeSftDialogues(dialogues, tokenizer, { maxTokens: T + 1 });
const batcher = new SftBatcher(examples, { batchSize: B, seqLen: T, padId: tokenizer.eosId, seed: trainCfg.seed });
const batches = Array.from({ length: steps }, () => {
  const b = batcher.next();
  return { rows: b.rows, targets: [...b.targets], weights: [...b.weights], docIds: [...(b.docIds ?? [])] };
});
const batchesPath = join(dir, 'batches.json');
writeFileSync(batchesPath, JSON.stringify(batches));

// 3. The peers, each a child process.
const torchBlas = values['torch-blas'];
const blasEnv =
  torchBlas && existsSync(join(torchBlas, 'libblas.so.3'))
    ? { LD_LIBRARY_PATH: [torchBlas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
    : {};
let ggmlVariant = 'unknown';
let torchBlasSeen: string[] | undefined;
type Result = PeerResult & { peakRssMB: number; startRssMB: number; blas?: string[] };
function runPeer(name: string, rep: number): Result {
  const [cmd, args] =
    name === 'pytorch'
      ? [values.python as string, [join(import.meta.dirname, 'torch_sft.py'), hf, batchesPath, JSON.stringify(OPTIM)]]
      : [
          join(ROOT, 'node_modules/.bin/tsx'),
          ['--conditions=source', join(import.meta.dirname, 'oursPeer.ts'), name, configFor(name, rep)],
        ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(name === 'pytorch' ? blasEnv : {}),
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    PUYU_THREADS: '1',
  };
  delete env.PUYU_GGML_BLAS;
  let stderr = '';
  let out: string;
  try {
    out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, env });
  } catch (e) {
    stderr = String((e as { stderr?: string }).stderr ?? '');
    throw new Error(`${name} failed:\n${stderr.slice(-2000)}`);
  }
  const res = JSON.parse(out.trim().split('\n').pop() as string) as Result;
  if (res.blas) torchBlasSeen = res.blas;
  return res;
}
// the ggml CPU variant the loader picks on this CPU (the ours children load the same one)
{
  const probe = spawnSync(
    join(ROOT, 'node_modules/.bin/tsx'),
    [
      '--conditions=source',
      '-e',
      "import('@puyu/ggml').then((g) => console.log('loaded CPU backend from ' + g.loadGgmlLibrary().cpu.path))",
    ],
    { encoding: 'utf8', cwd: ROOT },
  );
  // `libggml-cpu-zen4.so` (a prebuilt variant) or `…/ggml-native/<key>/libggml-cpu.so` (our native build)
  const lib = /loaded CPU backend from (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1];
  ggmlVariant = lib ? cpuVariantOf(lib) : 'unknown';
}

const stepMs = new Map<string, number[]>(names.map((n) => [n, []]));
const peakMB = new Map<string, number[]>(names.map((n) => [n, []]));
const firstLoss = new Map<string, number>();
const ratioRows: Record<string, string>[] = [];
for (let r = 0; r < reps; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  const rep: Record<string, Result> = {};
  for (const name of order) {
    const res = runPeer(name, r);
    rep[name] = res;
    stepMs.get(name)?.push(median(res.stepMs.slice(1)));
    peakMB.get(name)?.push(res.peakRssMB);
    if (!firstLoss.has(name)) firstLoss.set(name, res.losses[0]);
    process.stderr.write(
      `rep ${r + 1}/${reps} ${name}: step ms ${res.stepMs.map((x) => x.toFixed(0)).join(' ')}; peak RSS ${res.peakRssMB.toFixed(0)} MB; load ${load()}\n`,
    );
  }
  const ms = (n: string) => median(rep[n].stepMs.slice(1));
  const row: Record<string, string> = { rep: String(r + 1) };
  if (rep.lora && rep.sft) {
    row['lora/sft step time'] = (ms('lora') / ms('sft')).toFixed(2);
    row['lora/sft peak RSS'] = (rep.lora.peakRssMB / rep.sft.peakRssMB).toFixed(2);
  }
  if (rep.sft && rep.pytorch) {
    row['sft/pytorch step time'] = (ms('sft') / ms('pytorch')).toFixed(2);
    row['sft/pytorch peak RSS'] = (rep.sft.peakRssMB / rep.pytorch.peakRssMB).toFixed(2);
  }
  ratioRows.push(row);
}

// 4. Report.
const range = (xs: number[], digits = 0) => (xs.length ? `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}` : 'n/a');
console.log(
  `model: d${config.hidden_size} L${config.num_hidden_layers} H${config.num_attention_heads}/${config.num_key_value_heads} ffn${config.intermediate_size} V${config.vocab_size}; ` +
    `${B}×${T} tokens per step (calculator dialogues packed per row, loss on assistant tokens); 1 thread; ggml CPU variant: ${ggmlVariant}`,
);
console.log(`median step of ${steps - 1} timed steps per child (first step = warm-up), range over ${reps} repetition(s):`);
console.table(
  names.map((n) => ({
    trainer: n,
    'step ms': range(stepMs.get(n) as number[]),
    'tokens/s': range((stepMs.get(n) as number[]).map((x) => (B * T * 1000) / x)),
    'peak RSS MB': range(peakMB.get(n) as number[]),
    'step-1 loss': (firstLoss.get(n) as number).toFixed(5),
  })),
);
console.table(ratioRows);
if (firstLoss.has('sft') && firstLoss.has('pytorch'))
  console.log(
    `step-1 loss (same weights, same batch): ours ${firstLoss.get('sft')?.toFixed(6)} vs PyTorch ${firstLoss.get('pytorch')?.toFixed(6)}`,
  );
if (torchBlasSeen) {
  const reference = torchBlasSeen.every((l) => l.includes('/blas/'));
  console.log(
    `PyTorch's BLAS: ${torchBlasSeen.join(', ') || '(none mapped)'}${reference ? ' — the REFERENCE BLAS (slow); pass --torch-blas <dir with OpenBLAS libblas.so.3> for a fair peer' : ''}`,
  );
}
console.log(`load average after: ${load()}${loadavg()[0] > cores * 0.5 ? ' (busy machine: figures measured under load)' : ''}`);
console.log(
  'peak RSS is each child process whole (Node + ggml, or Python + torch), so it includes each runtime; LoRA keeps the full frozen base in memory.',
);
rmSync(dir, { recursive: true, force: true });
