import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, Progress } from '@puyu/core';
import { decodeModelProto } from '@puyu/formats';
import {
  convertModel,
  defaultTokenizerPath,
  formatModelSummary,
  type HfDtype,
  INTERNLM2_PRESETS,
  type InternLM2Preset,
  initInternLM2,
  inspectModel,
  internLM2ParamCount,
  makeByteLevelSentencePiece,
  makeInternLM2Config,
  parseGgufOutputType,
  saveHfModel,
  tokenizerGgufMetadata,
  writeInternLM2Gguf,
} from '@puyu/model';
import type { Command } from 'commander';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new ConfigError('CLI_BAD_OPTION', `${name} must be a positive integer, got "${v}".`);
    return n;
  };
}

function num(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError('CLI_BAD_OPTION', `${name} must be a positive number, got "${v}".`);
    return n;
  };
}

function parseDtype(v: string): HfDtype {
  const d = v.toUpperCase();
  if (d === 'F32' || d === 'F16' || d === 'BF16') return d;
  throw new ConfigError('CLI_BAD_OPTION', `--dtype must be f32, f16 or bf16, got "${v}".`);
}

/** A progress bar over tensors on stderr (stdout stays for results). */
function tensorProgress(label: string, quiet: boolean) {
  let bar: Progress | undefined;
  return {
    onTensor: (done: number, total: number, name: string) => {
      bar ??= new Progress({ total, label, unit: 'tensor', silent: quiet });
      bar.update(done, name);
    },
    finish: () => bar?.finish(),
  };
}

interface InitOpts {
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
}

async function runInit(outDir: string, o: InitOpts): Promise<void> {
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
    process.stdout.write(`wrote ${o.gguf} (${type}, ${r.tensors} tensors, ${r.bytes} bytes)\n`);
  }
}

/** `puyu model init|convert|inspect`. */
export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('InternLM2 models: init, convert (HF ⇄ GGUF), inspect');

  model
    .command('init')
    .description('create a randomly initialised InternLM2 as an HF folder (config.json, model.safetensors, tokenizer)')
    .argument('<out-dir>', 'output folder')
    .option('--preset <name>', `size preset (${Object.keys(INTERNLM2_PRESETS).join('|')})`, 'tiny')
    .option('--hidden <n>', 'hidden size', int('--hidden'))
    .option('--layers <n>', 'number of layers', int('--layers'))
    .option('--heads <n>', 'attention heads', int('--heads'))
    .option('--kv-heads <n>', 'key/value heads (GQA)', int('--kv-heads'))
    .option('--ffn <n>', 'feed-forward (intermediate) size', int('--ffn'))
    .option('--max-pos <n>', 'max_position_embeddings (default 2048)', int('--max-pos'))
    .option('--rope-theta <x>', 'RoPE base (default 1e6, as InternLM2.5)', num('--rope-theta'))
    .option('--vocab-from <tokenizer>', 'SentencePiece tokenizer.model (default: the bundled puyu-tiny.model)')
    .option('--vocab <n>', 'vocabulary size (without --vocab-from: a generated byte-level tokenizer of that size, ≥ 266)', int('--vocab'))
    .option('--seed <n>', 'PRNG seed', (v) => Number.parseInt(v, 10), 0)
    .option('--std <x>', 'init standard deviation (default initializer_range 0.02)', num('--std'))
    .option('--tie', 'tie the LM head to the embeddings')
    .option('--dtype <dtype>', 'safetensors dtype: f32|f16|bf16', 'f32')
    .option('--gguf <file>', 'also write a GGUF for llama.cpp')
    .option('--type <type>', 'GGUF tensor type: f32|f16|bf16|q8_0|q4_0', 'f32')
    .option('-q, --quiet', 'no progress output')
    .action(async (outDir: string, o: InitOpts) => runInit(outDir, o));

  model
    .command('convert')
    .description('convert HF folder → GGUF, or GGUF → HF folder (direction inferred from the input)')
    .argument('<in>', 'HF folder (with config.json) or .gguf file')
    .argument('<out>', 'output .gguf file or HF folder')
    .option('--to <format>', 'gguf|hf (checked against the input)')
    .option('--type <type>', 'GGUF tensor type: f32|f16|bf16|q8_0|q4_0', 'f16')
    .option('--dtype <dtype>', 'HF safetensors dtype: f32|f16|bf16', 'f32')
    .option('--name <name>', 'general.name of the GGUF')
    .option('--shard-bytes <n>', 'GGUF → HF: shard model.safetensors above this size (default 5e9, as HF)', int('--shard-bytes'))
    .option('-q, --quiet', 'no progress output')
    .action(
      async (
        input: string,
        output: string,
        o: { to?: string; type: string; dtype: string; name?: string; shardBytes?: number; quiet?: boolean },
      ) => {
        const p = tensorProgress('convert', o.quiet ?? false);
        const r = await convertModel(input, output, {
          to: o.to as 'gguf' | 'hf' | undefined,
          type: parseGgufOutputType(o.type),
          dtype: parseDtype(o.dtype),
          name: o.name,
          maxShardBytes: o.shardBytes,
          onTensor: p.onTensor,
        });
        p.finish();
        const what = r.direction === 'gguf' ? `GGUF (${o.type})` : `HF folder (${o.dtype})`;
        process.stdout.write(`converted ${input} → ${what} ${join(r.output)}; tokenizer ${r.tokenizer ? 'included' : 'absent'}\n`);
        if (!r.tokenizer && r.direction === 'gguf') {
          process.stderr.write(
            'puyu: note: no tokenizer.model in the folder, so llama.cpp cannot load this GGUF; add one and convert again.\n',
          );
        }
      },
    );

  model
    .command('inspect')
    .description('show architecture, hyper-parameters, parameter count, tensors and tokenizer of an HF folder, .safetensors or .gguf')
    .argument('<path>', 'model folder or file')
    .option('--json', 'machine-readable output')
    .option('--max-tensors <n>', 'tensor rows in the text table', int('--max-tensors'), 64)
    .action(async (path: string, o: { json?: boolean; maxTensors: number }) => {
      const s = await inspectModel(path);
      process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatModelSummary(s, { maxTensors: o.maxTensors })}\n`);
    });
}
