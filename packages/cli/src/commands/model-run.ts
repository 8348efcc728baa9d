// `puyu model init|convert`: the work behind the commands, imported only when one runs.
import { readFile } from 'node:fs/promises';
import { ConfigError, Progress } from '@puyu/core';
import { decodeModelProto } from '@puyu/formats';
import {
  defaultTokenizerPath,
  type HfDtype,
  INTERNLM2_PRESETS,
  type InternLM2Preset,
  initInternLM2,
  internLM2ParamCount,
  makeByteLevelSentencePiece,
  makeInternLM2Config,
  parseGgufOutputType,
  saveHfModel,
  tokenizerGgufMetadata,
  writeInternLM2Gguf,
} from '@puyu/model';
import { printJson } from '../json.js';

export function parseDtype(v: string): HfDtype {
  const d = v.toUpperCase();
  if (d === 'F32' || d === 'F16' || d === 'BF16') return d;
  throw new ConfigError('CLI_BAD_OPTION', `--dtype must be f32, f16 or bf16, got "${v}".`);
}

/** A progress bar over tensors on stderr (stdout stays for results). */
export function tensorProgress(label: string, quiet: boolean) {
  let bar: Progress | undefined;
  return {
    onTensor: (done: number, total: number, name: string) => {
      bar ??= new Progress({ total, label, unit: 'tensor', silent: quiet });
      bar.update(done, name);
    },
    finish: () => bar?.finish(),
  };
}

export interface InitOpts {
  preset: string;
  hidden?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  ffn?: number;
  maxPos?: number;
  ropeTheta?: number;
  vocabFrom?: string;
  vocab?: number;
  seed: number;
  std?: number;
  tie?: boolean;
  dtype: string;
  gguf?: string;
  type: string;
  quiet?: boolean;
  json?: boolean;
}

export async function runInit(outDir: string, o: InitOpts): Promise<void> {
  if (!(o.preset in INTERNLM2_PRESETS)) {
    throw new ConfigError('CLI_BAD_OPTION', `unknown --preset "${o.preset}"; choose one of ${Object.keys(INTERNLM2_PRESETS).join(', ')}.`);
  }
  const preset = INTERNLM2_PRESETS[o.preset as InternLM2Preset];
  // Tokenizer: --vocab-from, else a byte-level vocabulary of --vocab pieces, else the bundled default.
  const tokPath = o.vocabFrom ?? (o.vocab === undefined ? defaultTokenizerPath() : undefined);
  let tokenizer: Uint8Array | undefined;
  let vocab = o.vocab;
  if (tokPath !== undefined) {
    tokenizer = new Uint8Array(await readFile(tokPath));
    const pieces = decodeModelProto(tokenizer).pieces.length;
    if (vocab !== undefined && vocab < pieces) {
      throw new ConfigError('CLI_BAD_OPTION', `--vocab ${vocab} is smaller than the tokenizer's ${pieces} pieces.`);
    }
    vocab ??= pieces;
  } else if (vocab !== undefined) {
    tokenizer = makeByteLevelSentencePiece(vocab);
  }
  if (vocab === undefined) {
    throw new ConfigError(
      'CLI_NO_TOKENIZER',
      'no tokenizer: pass --vocab-from TOKENIZER.model, or --vocab N for a byte-level vocabulary of N pieces.',
    );
  }
  const type = parseGgufOutputType(o.type);
  const config = makeInternLM2Config({
    vocab_size: vocab,
    hidden_size: o.hidden ?? preset.hidden_size,
    intermediate_size: o.ffn ?? preset.intermediate_size,
    num_hidden_layers: o.layers ?? preset.num_hidden_layers,
    num_attention_heads: o.heads ?? preset.num_attention_heads,
    num_key_value_heads: o.kvHeads ?? (o.heads === undefined ? preset.num_key_value_heads : o.heads),
    max_position_embeddings: o.maxPos ?? 2048,
    rope_theta: o.ropeTheta ?? 1_000_000,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: o.tie ?? false,
    pad_token_id: 2,
  });
  const weights = initInternLM2(config, { seed: o.seed, std: o.std });
  await saveHfModel(outDir, config, weights, { tokenizer, dtype: parseDtype(o.dtype) });
  const params = internLM2ParamCount(config);
  const summary: Record<string, unknown> = { outDir, parameters: params, seed: o.seed, config };
  if (!o.json)
    process.stdout.write(
      `initialised InternLM2 in ${outDir}: ${params.toLocaleString('en-US')} parameters, hidden ${config.hidden_size}, ` +
        `${config.num_hidden_layers} layers, ${config.num_attention_heads}/${config.num_key_value_heads} heads, vocab ${config.vocab_size}, seed ${o.seed}\n`,
    );
  if (o.gguf) {
    const p = tensorProgress('gguf', o.quiet ?? false);
    const tok = tokenizer ? tokenizerGgufMetadata(tokenizer, config) : undefined;
    const r = await writeInternLM2Gguf(
      o.gguf,
      config,
      { readF32: (n) => (weights.get(n) as { data: Float32Array }).data },
      {
        type,
        name: `puyu-${o.preset}`,
        tokenizer: tok,
        onTensor: p.onTensor,
      },
    );
    p.finish();
    summary.gguf = { path: o.gguf, type, tensors: r.tensors, bytes: r.bytes };
    if (!o.json) process.stdout.write(`wrote ${o.gguf} (${type}, ${r.tensors} tensors, ${r.bytes} bytes)\n`);
  }
  if (o.json) printJson(summary);
}
