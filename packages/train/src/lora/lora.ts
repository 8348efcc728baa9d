import { join } from 'node:path';
import type { InternLM2Config } from '@puyu/model';
import type { BatcherState, PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { lmTrainModel, packedBatchWeight } from '../loop/fullParameter.js';
import { type LoopOptions, type LoopResult, type TrainBatcher, trainLoop } from '../loop/trainLoop.js';
import { prepareSft, type SftResult } from '../sft/sft.js';
import { LoraAdapter, mixSeed } from './LoraAdapter.js';
import type { LoraConfig } from './loraConfig.js';
import { saveLoraAdapter, writeLoraGguf } from './loraExport.js';
import { initLoraWeights } from './loraWeights.js';

/** What a LoRA run exports: the PEFT folder and the llama.cpp GGUF adapter(s). */
export interface LoraExport {
  /** adapter_config.json + adapter_model.safetensors (PEFT names). */
  adapter: string;
  /** `adapter-<type>.gguf` for each output.gguf type, for `createContext({lora})` / `puyu serve --lora`. */
  gguf: string[];
}

export interface LoraResult extends LoopResult<LoraExport> {
  config: InternLM2Config;
  /** Trained values in the adapter (A and B). */
  adapterParams: number;
  examples: SftResult['examples'];
  skipped: number;
  outputs: LoopResult<LoraExport>['outputs'] & { skipped: string };
}

/** A PackedBatch with the seed of its dropout masks (none for held-out batches: no dropout there). */
export type LoraBatch = PackedBatch & { dropoutSeed?: number };

/**
 * Seeds each batch's dropout from where the batcher stood when it was drawn (and the run seed),
 * so a resumed run draws the same masks as an uninterrupted one without storing anything.
 */
export function seedDropout(inner: TrainBatcher, seed: number): TrainBatcher<LoraBatch> {
  return {
    get state(): BatcherState {
      return inner.state;
    },
    restore: (s) => inner.restore(s),
    next: () => {
      const { epoch, cursor } = inner.state;
      const dropoutSeed = mixSeed(mixSeed(seed, epoch), cursor);
      return { ...inner.next(), dropoutSeed };
    },
  };
}

/**
 * LoRA fine-tuning, top to bottom: the SFT model and data (sft.ts's prepareSft: same formats,
 * masking, packing, skipped-line report) → a fresh adapter (A Kaiming-uniform, B zero) on the
 * frozen base → the shared loop, which trains, checkpoints and resumes the adapter tensors
 * only → the adapter as a PEFT folder and a GGUF LoRA.
 */
export async function lora(cfg: LoraConfig, opts: LoopOptions = {}): Promise<LoraResult> {
  const s = cfg.lora;
  const run = await prepareSft(cfg, opts, { method: 'lora', lora: s }, 2);
  const { config, weights } = run;
  const adapter = initLoraWeights(config, s, s.init_seed);
  const r = await trainLoop(
    cfg,
    {
      label: 'lora',
      title: `${s.base_type === 'f32' ? 'LoRA' : `QLoRA (${s.base_type} base)`} loss (rank ${s.rank}, assistant tokens)`,
      trained: adapter,
      batchWeight: packedBatchWeight,
      model: (threads) => {
        let la: LoraAdapter | undefined;
        const g = new GgmlInternLM2(config, weights, {
          threads,
          baseType: s.base_type,
          adapter: (backend) => {
            la = new LoraAdapter(backend, config, s);
            la.upload(adapter);
            return la;
          },
        });
        return lmTrainModel<LoraBatch>(g, () => la?.upload(adapter));
      },
      export: async (out) => {
        const dir = join(out, 'adapter');
        await saveLoraAdapter(dir, s, adapter, cfg.init_from);
        const gguf: string[] = [];
        for (const type of cfg.output.gguf) {
          const path = join(out, `adapter-${type}.gguf`);
          await writeLoraGguf(path, config, s, adapter, type);
          gguf.push(path);
        }
        return { adapter: dir, gguf };
      },
      ...run.loop,
      batcher: seedDropout(run.loop.batcher, cfg.train.seed),
    },
    opts,
  );
  let adapterParams = 0;
  for (const t of adapter.values()) adapterParams += t.data.length;
  return {
    ...r,
    config,
    adapterParams,
    examples: run.examples,
    skipped: run.skipped,
    outputs: { ...r.outputs, skipped: run.skippedPath },
  };
}
