import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelError } from '@puyu/core';
import { decodeModelProto, GgufFile, GgufValueType, ggufPlain, openSafetensorsModel, SafetensorsFile } from '@puyu/formats';
import { internLM2Dims, internLM2ParamCount, parseInternLM2Config } from '../config.js';
import { shortestF32 } from '../convert/writeHfFromGguf.js';
import { INTERNLM2_CHAT_TOKENS } from '../hf/internlm2-special-tokens.js';

export interface TensorRow {
  name: string;
  /** PyTorch order (outermost first) for HF/safetensors; ggml `ne` order for GGUF. */
  shape: number[];
  dtype: string;
  bytes: number;
}

export interface TokenizerSummary {
  source: string;
  vocabSize: number;
  model?: string;
  bosId?: number;
  eosId?: number;
  unkId?: number;
  /** InternLM2 chat tokens present, with their ids. */
  specialTokens: Record<string, number>;
  byteFallback?: boolean;
}

export interface ModelSummary {
  kind: 'hf' | 'safetensors' | 'gguf';
  path: string;
  architecture: string | undefined;
  hyperParameters: Record<string, unknown>;
  parameterCount: number;
  totalBytes: number;
  tensors: TensorRow[];
  tokenizer?: TokenizerSummary;
  /** Extra facts: GGUF file type, safetensors metadata, problems found. */
  notes: string[];
}

/** Summarises an HF folder, a .safetensors file or a .gguf file (what `puyu model inspect` prints). */
export async function inspectModel(path: string): Promise<ModelSummary> {
  if (!existsSync(path))
    throw new ModelError('MODEL_NOT_FOUND', `${path} does not exist; pass an HF model folder, a .safetensors or a .gguf file.`);
  if (statSync(path).isDirectory()) return inspectHfFolder(path);
  if (path.endsWith('.safetensors')) return inspectSafetensors(path);
  return inspectGguf(path);
}

async function inspectHfFolder(dir: string): Promise<ModelSummary> {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new ModelError('MODEL_NOT_FOUND', `${dir} has no config.json; it is not an HF model folder.`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelError('MODEL_CONFIG_INVALID', `${cfgPath} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const notes: string[] = [];
  // Inspecting is for looking: a non-InternLM2 or inconsistent config is reported, not fatal.
  let hyperParameters: Record<string, unknown> = raw;
  let expected: number | undefined;
  try {
    const config = parseInternLM2Config(raw, cfgPath);
    hyperParameters = {
      vocab_size: config.vocab_size,
      hidden_size: config.hidden_size,
      intermediate_size: config.intermediate_size,
      num_hidden_layers: config.num_hidden_layers,
      num_attention_heads: config.num_attention_heads,
      num_key_value_heads: config.num_key_value_heads,
      head_dim: internLM2Dims(config).headDim,
      max_position_embeddings: config.max_position_embeddings,
      rms_norm_eps: config.rms_norm_eps,
      rope_theta: config.rope_theta,
      rope_scaling: config.rope_scaling,
      tie_word_embeddings: config.tie_word_embeddings,
    };
    expected = internLM2ParamCount(config);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    notes.push(`not loadable as InternLM2: [${e.code}] ${e.message}`);
  }
  const reader = await openSafetensorsModel(dir);
  try {
    const tensors = reader.tensors.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype, bytes: t.byteLength }));
    const counted = reader.tensors.reduce((a, t) => a + t.elementCount, 0);
    if (expected !== undefined && counted !== expected)
      notes.push(`the tensors hold ${counted} parameters but the config implies ${expected}`);
    const tokPath = join(dir, 'tokenizer.model');
    const archs = raw.architectures;
    return {
      kind: 'hf',
      path: dir,
      architecture: Array.isArray(archs) ? String(archs[0]) : undefined,
      hyperParameters,
      parameterCount: counted,
      totalBytes: tensors.reduce((a, t) => a + t.bytes, 0),
      tensors,
      tokenizer: existsSync(tokPath) ? await sentencePieceSummary(tokPath) : undefined,
      notes,
    };
  } finally {
    await reader.close();
  }
}

async function sentencePieceSummary(path: string): Promise<TokenizerSummary> {
  const proto = decodeModelProto(new Uint8Array(await readFile(path)));
  const pieces = proto.pieces.map((p) => p.piece ?? '');
  const idOf = new Map(pieces.map((p, i) => [p, i]));
  const t = proto.trainerSpec ?? {};
  const modelType = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' }[t.modelType ?? 1];
  return {
    source: path,
    vocabSize: pieces.length,
    model: `sentencepiece-${modelType ?? 'unknown'}`,
    bosId: t.bosId ?? 1,
    eosId: t.eosId ?? 2,
    unkId: t.unkId ?? 0,
    specialTokens: Object.fromEntries(INTERNLM2_CHAT_TOKENS.filter((s) => idOf.has(s)).map((s) => [s, idOf.get(s) as number])),
    byteFallback: t.byteFallback ?? false,
  };
}

async function inspectSafetensors(path: string): Promise<ModelSummary> {
  const f = await SafetensorsFile.open(path);
  try {
    const tensors = f.tensors.map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype, bytes: t.byteLength }));
    const meta = f.metadata ?? {};
    return {
      kind: 'safetensors',
      path,
      architecture: undefined,
      hyperParameters: {},
      parameterCount: f.tensors.reduce((a, t) => a + t.elementCount, 0),
      totalBytes: tensors.reduce((a, t) => a + t.bytes, 0),
      tensors,
      notes: Object.entries(meta).map(([k, v]) => `metadata ${k} = ${v}`),
    };
  } finally {
    await f.close();
  }
}

async function inspectGguf(path: string): Promise<ModelSummary> {
  const f = await GgufFile.open(path);
  try {
    const arch = f.architecture;
    const hyper: Record<string, unknown> = {};
    for (const [k, v] of f.metadata) {
      if (arch && k.startsWith(`${arch}.`) && v.type !== GgufValueType.ARRAY) {
        const value = ggufPlain(v);
        // f32 values print as the decimal they were written from (1e-5, not 0.000009999999747).
        hyper[k.slice(arch.length + 1)] =
          typeof value === 'bigint' ? Number(value) : v.type === GgufValueType.FLOAT32 ? shortestF32(value as number) : value;
      }
    }
    const tokens = f.metadata.has('tokenizer.ggml.tokens') ? (f.getArray('tokenizer.ggml.tokens') as string[]) : undefined;
    const num = (k: string) => (f.metadata.has(k) ? f.getNumber(k) : undefined);
    const notes: string[] = [];
    const ft = num('general.file_type');
    if (ft !== undefined) notes.push(`general.file_type = ${ft}`);
    const name = f.getString('general.name');
    if (name) notes.push(`general.name = ${name}`);
    const tensors = f.tensors.map((t) => ({ name: t.name, shape: [...t.ne], dtype: t.typeName, bytes: t.byteLength }));
    let tokenizer: TokenizerSummary | undefined;
    if (tokens) {
      const idOf = new Map(tokens.map((p, i) => [p, i]));
      tokenizer = {
        source: 'gguf metadata',
        vocabSize: tokens.length,
        model: f.getString('tokenizer.ggml.model'),
        bosId: num('tokenizer.ggml.bos_token_id'),
        eosId: num('tokenizer.ggml.eos_token_id'),
        unkId: num('tokenizer.ggml.unknown_token_id'),
        specialTokens: Object.fromEntries(INTERNLM2_CHAT_TOKENS.filter((s) => idOf.has(s)).map((s) => [s, idOf.get(s) as number])),
      };
    }
    return {
      kind: 'gguf',
      path,
      architecture: arch,
      hyperParameters: hyper,
      parameterCount: f.tensors.reduce((a, t) => a + t.nElements, 0),
      totalBytes: f.tensors.reduce((a, t) => a + t.byteLength, 0),
      tensors,
      tokenizer,
      notes,
    };
  } finally {
    await f.close();
  }
}

function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

function humanBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(2)} ${u[i]}`;
}

/** Human-readable report of a summary. */
export function formatModelSummary(s: ModelSummary, opts: { maxTensors?: number } = {}): string {
  const lines = [`${s.path} (${s.kind})`, `architecture: ${s.architecture ?? '(unknown)'}`];
  lines.push(`parameters: ${humanCount(s.parameterCount)} (${s.parameterCount.toLocaleString('en-US')}), ${humanBytes(s.totalBytes)}`);
  const hp = Object.entries(s.hyperParameters);
  if (hp.length > 0) {
    lines.push('hyper-parameters:');
    const w = Math.max(...hp.map(([k]) => k.length));
    for (const [k, v] of hp) lines.push(`  ${k.padEnd(w)}  ${JSON.stringify(v)}`);
  }
  if (s.tokenizer) {
    const t = s.tokenizer;
    lines.push(
      `tokenizer: ${t.model ?? '?'} from ${t.source}, ${t.vocabSize} tokens, bos ${t.bosId ?? '-'}, eos ${t.eosId ?? '-'}, unk ${t.unkId ?? '-'}`,
    );
    const sp = Object.entries(t.specialTokens);
    if (sp.length > 0) lines.push(`  special: ${sp.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  } else lines.push('tokenizer: none');
  for (const n of s.notes) lines.push(`note: ${n}`);
  const max = opts.maxTensors ?? 64;
  lines.push(`tensors (${s.tensors.length}):`);
  const shown = s.tensors.slice(0, max);
  const w = Math.max(0, ...shown.map((t) => t.name.length));
  for (const t of shown) lines.push(`  ${t.name.padEnd(w)}  ${t.dtype.padEnd(5)}  [${t.shape.join(', ')}]  ${humanBytes(t.bytes)}`);
  if (s.tensors.length > max) lines.push(`  … ${s.tensors.length - max} more (use --json for all)`);
  return lines.join('\n');
}
