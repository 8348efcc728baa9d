/**
 * Training throughput on the reference config (issue 5), three trainers side by side in
 * one run, each a child process of this one, their order rotated every repetition:
 *   ours          GgmlInternLM2.lossAndGrads + clip + host AdamW on ggml's CPU backend alone (what fp32
 *                 `pretrain` runs per step on a machine without OpenBLAS)
 *   ours_outprod  the same with ggml's autograd backward unchanged (OUT_PROD products): the baseline
 *   ours_blas     ours with ggml's BLAS backend: the one @puyu/ggml builds where OpenBLAS is installed (what
 *                 fp32 `pretrain` then runs), or --ggml-blas / PUYU_GGML_BLAS
 *   ours_bf16     ours in bf16 mixed precision (train.precision "bf16"; fast on AVX512-BF16 CPUs)
 *   pytorch       the same model, weights, tokens and AdamW in PyTorch CPU fp32 (torch_train.py)
 *   llama_opt     llama.cpp's llama_opt_epoch on the same model written as GGUF
 *   ours_dp       ours with --replicas data-parallel copies on worker threads (train.replicas), one
 *                 thread each: how pretrain uses several cores, on pretrain's backends (BLAS where
 *                 @puyu/ggml built it, as fp32 pretrain does); ours_dp_bf16: the same in bf16
 *   pytorch_mt    PyTorch with as many threads as ours_dp has replicas (its own intra-op threading)
 * Prints tokens/s, GFLOP/s (formula printed), ratios per repetition (ranges, since the
 * machine is shared and noisy) and the loss each trainer reaches after the same steps.
 *
 *   npm run bench:train [-- --steps 5 --reps 3 --threads 1 --batch 8 --seq 256 --replicas 2]
 *
 * The first step of every child is warm-up and not timed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { autoBlasState, blasFromEnv } from '@puyu/ggml';
import { convertHfToGguf, defaultTokenizerPath, initInternLM2, saveHfModel } from '@puyu/model';
import { cpuHasBf16 } from '@puyu/train';
import { ggmlCpuLines } from '../shared/ggmlCpu.js';
import { corpusTokens, median, OPTIM, type PeerResult, ROOT, referenceConfig, trainFlopsPerToken } from './benchSetup.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    // the multi-core peers: ours_dp's replicas, pytorch_mt's threads
    replicas: { type: 'string', default: '2' },
    batch: { type: 'string', default: '8' },
    seq: { type: 'string', default: '256' },
    python: { type: 'string', default: '/usr/bin/python3' },
    // Debian's torch calls whatever libblas.so.3 is installed: the reference BLAS runs at
    // ~3 GFLOP/s, OpenBLAS at ~60. A folder holding OpenBLAS's libblas.so.3 (e.g. from
    // `apt-get install libopenblas0-pthread`, or that package unpacked with dpkg -x) goes
    // on the PyTorch child's LD_LIBRARY_PATH so the peer is what a user would really run.
    'torch-blas': { type: 'string', default: process.env.PUYU_BENCH_TORCH_BLAS ?? '/usr/lib/x86_64-linux-gnu/openblas-pthread' },
    peers: { type: 'string', default: 'ours,ours_outprod,ours_blas,ours_bf16,pytorch,llama_opt,ours_dp,ours_dp_bf16,pytorch_mt' },
    // the opt-in ggml BLAS backend for the ours_blas peer (bench/train/build-ggml-blas.sh)
    'ggml-blas': { type: 'string', default: blasFromEnv() ?? autoBlasState().path ?? join(ROOT, '.cache/ggml-blas/libggml-blas.so') },
  },
});
const steps = Number(values.steps) + 1; // + the untimed warm-up step
const reps = Number(values.reps);
const B = Number(values.batch);
const T = Number(values.seq);
const threads = values.threads as string;
const replicas = values.replicas as string;
const PEAK_GFLOPS = 114; // one core, fp32 AVX2 FMA (ARCHITECTURE.md)

const config = referenceConfig();
const dir = mkdtempSync(join(tmpdir(), 'puyu-bench-train-'));
const hf = join(dir, 'hf');
const gguf = join(dir, 'model-f32.gguf');
const tokensPath = join(dir, 'tokens.bin');
const tokenizer = defaultTokenizerPath();
await saveHfModel(hf, config, initInternLM2(config, { seed: 1234 }), tokenizer ? { tokenizer } : {});
await convertHfToGguf(hf, gguf, { type: 'f32' });
const stream = corpusTokens();
writeFileSync(tokensPath, stream);

const tsx = join(ROOT, 'node_modules/.bin/tsx');
const node = (script: string, args: string[]) => ({
  cmd: tsx,
  args: ['--conditions=source', join(import.meta.dirname, script), ...args],
});
const PEERS: Record<string, { cmd: string; args: string[] }> = {
  ours: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'mul_mat']),
  // ggml's autograd graph unchanged (OUT_PROD backward): the fp32 baseline our changes are measured against
  ours_outprod: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'out_prod']),
  // the opt-in BLAS backend for matrix products (run with PUYU_GGML_BLAS set; skipped when not built)
  ours_blas: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'mul_mat']),
  // bf16 mixed precision: bf16 weight products, f32 master weights, gradients and AdamW
  ours_bf16: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'mul_mat', 'bf16']),
  pytorch: {
    cmd: values.python as string,
    args: [join(import.meta.dirname, 'torch_train.py'), hf, tokensPath, String(steps), String(B), String(T), JSON.stringify(OPTIM)],
  },
  llama_opt: node('llamaOptPeer.ts', [gguf, tokensPath, String(steps), String(T), threads]),
  ours_dp: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'mul_mat', 'fp32', replicas]),
  ours_dp_bf16: node('oursPeer.ts', [hf, tokensPath, String(steps), String(B), String(T), threads, 'mul_mat', 'bf16', replicas]),
  pytorch_mt: {
    cmd: values.python as string,
    args: [
      join(import.meta.dirname, 'torch_train.py'),
      hf,
      tokensPath,
      String(steps),
      String(B),
      String(T),
      JSON.stringify(OPTIM),
      String(Number(replicas) * Number(threads)),
    ],
  },
};
const ggmlBlas = values['ggml-blas'] as string;
const names = (values.peers as string).split(',').filter((p) => p in PEERS && (p !== 'ours_blas' || existsSync(ggmlBlas)));

const torchBlas = values['torch-blas'] as string;
const blasEnv = existsSync(join(torchBlas, 'libblas.so.3'))
  ? { LD_LIBRARY_PATH: [torchBlas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
  : {};
let torchBlasSeen: string[] | undefined;

/** Each child's environment: OpenBLAS for PyTorch, the ggml BLAS backend for ours_blas only. */
function peerEnv(name: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PUYU_GGML_BLAS;
  if (name === 'pytorch' || name === 'pytorch_mt') Object.assign(env, blasEnv);
  if (name === 'ours_blas') env.PUYU_GGML_BLAS = ggmlBlas;
  return env;
}

function runPeer(name: string): PeerResult & { blas?: string[] } {
  const p = PEERS[name];
  const n = name === 'pytorch_mt' ? String(Number(replicas) * Number(threads)) : threads;
  const out = execFileSync(p.cmd, p.args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    env: { ...peerEnv(name), OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
  });
  const line = out.trim().split('\n').pop() as string;
  const res = JSON.parse(line) as PeerResult & { blas?: string[] };
  if (res.blas) torchBlasSeen = res.blas;
  return res;
}

const { flops, formula } = trainFlopsPerToken(config, T);
console.log(
  `reference config: d${config.hidden_size} L${config.num_hidden_layers} H${config.num_attention_heads}/${config.num_key_value_heads} ffn${config.intermediate_size} V${config.vocab_size}, B${B} T${T}, ${threads} thread(s) (multi-core peers: ${replicas} replicas / PyTorch threads); ${stream.length} corpus tokens`,
);
console.log(`FLOPs/token: ${formula}`);
// ours, ours_outprod, ours_bf16 and llama_opt load the same ggml CPU backend as this process
for (const l of ggmlCpuLines()) console.log(l);
console.log(`llama_opt trains one ${T}-token sequence per step (its only mode) and never trains token_embd.`);
if (names.includes('ours_bf16'))
  console.log(
    cpuHasBf16()
      ? 'ours_bf16: this CPU has AVX512-BF16 (native bf16 dot products).'
      : 'ours_bf16: this CPU has no AVX512-BF16, so ggml emulates bf16 products (expect it slower than fp32).',
  );
console.log('');

const rates = new Map<string, number[]>(names.map((n) => [n, []]));
const finalLoss = new Map<string, number[]>(names.map((n) => [n, []]));
const ratioRows: Record<string, string>[] = [];
for (let r = 0; r < reps; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  const rep: Record<string, number> = {};
  for (const name of order) {
    const res = runPeer(name);
    const tps = (res.tokensPerStep * 1000) / median(res.stepMs.slice(1));
    rep[name] = tps;
    rates.get(name)?.push(tps);
    finalLoss.get(name)?.push(res.losses[res.losses.length - 1]);
    process.stderr.write(
      `rep ${r + 1}/${reps} ${name}: ${tps.toFixed(0)} tok/s, step ms ${res.stepMs.map((x) => x.toFixed(0)).join(' ')}\n`,
    );
  }
  const row: Record<string, string> = { rep: String(r + 1) };
  if (rep.ours && rep.pytorch) row['ours/pytorch'] = (rep.ours / rep.pytorch).toFixed(2);
  if (rep.ours && rep.llama_opt) row['ours/llama_opt'] = (rep.ours / rep.llama_opt).toFixed(2);
  if (rep.ours && rep.ours_outprod) row['ours/ours_outprod'] = (rep.ours / rep.ours_outprod).toFixed(2);
  if (rep.ours_blas && rep.pytorch) row['ours_blas/pytorch'] = (rep.ours_blas / rep.pytorch).toFixed(2);
  if (rep.ours_blas && rep.llama_opt) row['ours_blas/llama_opt'] = (rep.ours_blas / rep.llama_opt).toFixed(2);
  if (rep.ours_bf16 && rep.pytorch) row['ours_bf16/pytorch'] = (rep.ours_bf16 / rep.pytorch).toFixed(2);
  if (rep.ours_bf16 && rep.ours) row['ours_bf16/ours'] = (rep.ours_bf16 / rep.ours).toFixed(2);
  if (rep.ours_dp && rep.pytorch_mt) row['ours_dp/pytorch_mt'] = (rep.ours_dp / rep.pytorch_mt).toFixed(2);
  if (rep.ours_dp_bf16 && rep.pytorch_mt) row['ours_dp_bf16/pytorch_mt'] = (rep.ours_dp_bf16 / rep.pytorch_mt).toFixed(2);
  if (rep.ours_dp && rep.ours) row['ours_dp/ours'] = (rep.ours_dp / rep.ours).toFixed(2);
  ratioRows.push(row);
}

const range = (xs: number[], digits = 0) => (xs.length ? `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}` : 'n/a');
const ratioRange = (a: string, b: string) => {
  const ra = rates.get(a);
  const rb = rates.get(b);
  if (!ra || !rb) return 'n/a';
  return range(
    ra.map((x, i) => x / rb[i]),
    2,
  );
};
console.log(`tokens/s and ratios: median step of ${steps - 1} timed steps per child, range over ${reps} repetitions`);
console.table(
  names.map((n) => {
    const tps = rates.get(n) as number[];
    return {
      trainer: n,
      'tokens/s': range(tps),
      'GFLOP/s': range(
        tps.map((x) => (x * flops) / 1e9),
        1,
      ),
      '% of 114 peak': range(
        tps.map((x) => (100 * x * flops) / 1e9 / PEAK_GFLOPS),
        0,
      ),
      'vs pytorch': ratioRange(n, 'pytorch'),
      'vs llama_opt': ratioRange(n, 'llama_opt'),
      'vs pytorch_mt': ratioRange(n, 'pytorch_mt'),
      [`loss after ${steps} steps`]: range(finalLoss.get(n) as number[], 4),
    };
  }),
);
console.table(ratioRows);
// the loss each trainer reaches after the same steps on the same weights and tokens, vs ours'
// unchanged-fp32 baseline (llama_opt is left out: one sequence per step, token_embd frozen)
const ref = finalLoss.get('ours_outprod')?.[0] ?? finalLoss.get('pytorch')?.[0];
if (ref !== undefined)
  for (const n of names.filter((x) => x !== 'llama_opt')) {
    const l = finalLoss.get(n)?.[0] as number;
    console.log(
      `loss after ${steps} steps: ${n.padEnd(12)} ${l.toFixed(5)} (${((100 * (l - ref)) / ref).toFixed(4)}% vs ${finalLoss.has('ours_outprod') ? 'ours_outprod' : 'pytorch'})`,
    );
  }
if (torchBlasSeen) {
  const reference = torchBlasSeen.every((l) => l.includes('/blas/'));
  console.log(
    `PyTorch's BLAS: ${torchBlasSeen.join(', ')}${reference ? ' — the REFERENCE BLAS (~3 GFLOP/s); pass --torch-blas <dir with OpenBLAS libblas.so.3> for a fair peer' : ''}`,
  );
}
rmSync(dir, { recursive: true, force: true });
