import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertHfToGguf, type InternLM2Config, type InternLM2Weights, saveHfModel } from '@puyu/model';
import type { PackedBatch } from '../data/PackedBatcher.js';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import type { TrainPrecision } from '../graph/precision.js';
import { tokenizerFile } from '../pretrain/fingerprint.js';
import { DataParallelModel } from './dataParallel.js';
import type { LoopMethod, TrainModel } from './trainLoop.js';

/** What full-parameter training exports: an HF folder (the interchange format) and GGUF files. */
export interface FullExport {
  hf: string;
  gguf: string[];
}

/** Loss weight of a masked batch: the sum of its per-token weights. */
export const packedBatchWeight = (b: PackedBatch): number => b.weights.reduce((x, y) => x + y, 0);

/**
 * The parts of a LoopMethod that pretraining and full SFT share: every tensor of the model
 * trains (`weights`, updated in place), the loss is the masked LM loss of a PackedBatch, and
 * the export is an HF folder plus GGUF files of the types asked for.
 */
export function fullParameter(
  config: InternLM2Config,
  weights: InternLM2Weights,
  /** The tokenizer exported with the HF folder (a `.model` or an HF folder). */
  tokenizer: string,
  gguf: readonly ('f32' | 'f16' | 'q8_0')[],
  /** Resolved (graph/precision.ts's resolvePrecision); the loop records it in the fingerprint. */
  precision: TrainPrecision = 'fp32',
  /** Recorded in the export (tokenizer_config.json and GGUF) for chat servers; unset for base models. */
  useDefaultSystemPrompt?: boolean,
): Pick<LoopMethod<PackedBatch, FullExport>, 'trained' | 'batchWeight' | 'model' | 'export' | 'precision' | 'dataParallel'> {
  return {
    trained: weights,
    batchWeight: packedBatchWeight,
    precision,
    dataParallel: true,
    model: (threads, replicas) => {
      if (replicas > 1) return new DataParallelModel(config, weights, { replicas, threads, precision });
      const g = new GgmlInternLM2(config, weights, { threads, trainable: true, precision, autoBlas: true });
      return lmTrainModel(g, () => g.params.upload(weights));
    },
    export: async (out) => {
      const hf = join(out, 'hf');
      await saveHfModel(hf, config, weights, {
        tokenizer: new Uint8Array(await readFile(await tokenizerFile(tokenizer))),
        useDefaultSystemPrompt,
      });
      const files: string[] = [];
      for (const type of gguf) {
        const path = join(out, `model-${type}.gguf`);
        await convertHfToGguf(hf, path, { type });
        files.push(path);
      }
      return { hf, gguf: files };
    },
  };
}

/**
 * A GgmlInternLM2 as the loop's TrainModel over masked LM batches; `upload` copies the trained
 * tensors (the full weights, or LoRA's adapter) into the graph. A batch's `dropoutSeed`
 * (LoRA) picks that micro-batch's dropout masks.
 */
export function lmTrainModel<B extends PackedBatch & { dropoutSeed?: number }>(g: GgmlInternLM2, upload: () => void): TrainModel<B> {
  return {
    lossAndGrads: (b) => g.lossAndGrads(b.rows, b.targets, b.weights, b.docIds, b.dropoutSeed),
    loss: (b) => g.loss(b.rows, b.targets, b.weights, b.docIds),
    upload,
    [Symbol.dispose]: () => g.free(),
  };
}
