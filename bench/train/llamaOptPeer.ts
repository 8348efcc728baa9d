/**
 * llama.cpp's own trainer as a peer: llama_opt_init + llama_opt_epoch on the same
 * model (our GGUF, loaded by libllama through koffi), n_ctx 256, one sequence per
 * optimizer step (llama_opt's only mode), AdamW with the bench's settings. Each epoch
 * runs one datapoint = one step, so every step is timed alone. Child of run.ts.
 *
 *   tsx --conditions=source bench/train/llamaOptPeer.ts <model.gguf> <tokens.bin> <steps> <T> <threads>
 */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { loadBenchBindings } from './benchBindings.js';
import { OPTIM, type PeerResult } from './benchSetup.js';

const GGML_TYPE_I32 = 26;
const GGML_TYPE_F32 = 0;
const LLAMA_LOAD_MODE_NONE = 0; // writable weights (finetune.cpp forces it too)
const LLAMA_FLASH_ATTN_TYPE_DISABLED = 0; // FLASH_ATTN_EXT has no backward
const GGML_OPT_OPTIMIZER_TYPE_ADAMW = 0;

const [ggufPath, tokensPath, stepsArg, tArg, threadsArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const T = Number(tArg);
const threads = Number(threadsArg);
const stream = new Int32Array(new Uint8Array(readFileSync(tokensPath)).buffer);
const f = loadBenchBindings();
f.llama_backend_init();

const mp = f.llama_model_default_params();
mp.n_gpu_layers = 0;
mp.load_mode = LLAMA_LOAD_MODE_NONE;
const model = f.llama_model_load_from_file(ggufPath, mp);
if (!model) throw new Error(`libllama could not load ${ggufPath}`);
const cp = f.llama_context_default_params();
Object.assign(cp, {
  n_ctx: T,
  n_batch: T,
  n_ubatch: T,
  n_threads: threads,
  n_threads_batch: threads,
  flash_attn_type: LLAMA_FLASH_ATTN_TYPE_DISABLED,
  type_k: GGML_TYPE_F32, // OUT_PROD has no F16 path (finetune.cpp forces F32 caches)
  type_v: GGML_TYPE_F32,
});
const lctx = f.llama_init_from_model(model, cp);
if (!lctx) throw new Error('libllama could not create a context');

// ggml_opt_eval computes without setting the CPU backend's thread count, so it keeps
// ggml's default (4) unless a decode ran first — finetune.cpp's warm-up decode does
// that; so do we, or llama_opt would spin 4 threads on this machine's shared cores.
const warm = Int32Array.from([1, 2]);
if (f.llama_decode(lctx, f.llama_batch_get_one(warm, warm.length)) !== 0) throw new Error('warm-up decode failed');
f.llama_memory_clear(f.llama_get_memory(lctx), true);

// The optimizer settings come from a callback, as llama_opt_params asks.
const OptParsProto = koffi.proto('ggml_opt_optimizer_params bench_opt_pars(void* userdata)');
const optPars = koffi.register(() => {
  const p = f.ggml_opt_get_default_optimizer_params(null);
  p.adamw = { alpha: OPTIM.lr, beta1: OPTIM.beta1, beta2: OPTIM.beta2, eps: OPTIM.eps, wd: OPTIM.weightDecay };
  return p;
}, koffi.pointer(OptParsProto));
const filterAll = koffi.register(() => true, koffi.pointer(koffi.proto('bool bench_param_filter(void* tensor, void* userdata)')));
f.llama_opt_init(lctx, model, {
  n_ctx_train: T,
  param_filter: filterAll,
  param_filter_ud: null,
  get_opt_pars: optPars,
  get_opt_pars_ud: null,
  optimizer_type: GGML_OPT_OPTIMIZER_TYPE_ADAMW,
});

// One datapoint per epoch: inputs and next-token labels, the same rows ours and PyTorch read.
const dataset = f.ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, T, T, 1, 1);
if (!dataset) throw new Error('ggml_opt_dataset_init failed');
const data = koffi.view(f.ggml_get_data(f.ggml_opt_dataset_data(dataset)), T * 4);
const labels = koffi.view(f.ggml_get_data(f.ggml_opt_dataset_labels(dataset)), T * 4);
const resultTrain = f.ggml_opt_result_init();
const result: PeerResult = { peer: 'llama_opt', stepMs: [], tokensPerStep: T, losses: [] };
const span = stream.length - T - 1;
for (let s = 0; s < steps; s++) {
  const start = (s * T) % span;
  new Int32Array(data).set(stream.subarray(start, start + T));
  new Int32Array(labels).set(stream.subarray(start + 1, start + T + 1));
  f.ggml_opt_result_reset(resultTrain);
  const t0 = performance.now();
  f.llama_opt_epoch(lctx, dataset, resultTrain, null, 1, null, null);
  result.stepMs.push(performance.now() - t0);
  const loss = [0];
  const unc = [0];
  f.ggml_opt_result_loss(resultTrain, loss, unc);
  result.losses.push(loss[0]);
}
f.ggml_opt_result_free(resultTrain);
f.ggml_opt_dataset_free(dataset);
f.llama_free(lctx);
f.llama_model_free(model);
process.stdout.write(`${JSON.stringify(result)}\n`);
