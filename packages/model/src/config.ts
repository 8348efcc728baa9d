import { formatIssues, ModelError } from '@puyu/core';
import { z } from 'zod';

/**
 * InternLM2 hyper-parameters as HF `config.json` spells them. Unknown keys are
 * kept (passthrough) so a config read from a real checkpoint is written back intact.
 */
const ropeScalingSchema = z.object({
  type: z.enum(['dynamic', 'linear'], { message: "rope_scaling.type must be 'dynamic' or 'linear'" }),
  factor: z.number().gt(1, { message: 'rope_scaling.factor must be > 1 (1 means no scaling: use null)' }),
});

const positiveInt = z.number().int().positive();

export const internLM2ConfigSchema = z
  .looseObject({
    architectures: z.array(z.string()).default(['InternLM2ForCausalLM']),
    model_type: z.string().default('internlm2'),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt.optional(),
    max_position_embeddings: positiveInt.default(2048),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    rope_scaling: ropeScalingSchema.nullable().default(null),
    bias: z.boolean().default(false),
    tie_word_embeddings: z.boolean().default(false),
    hidden_act: z.string().default('silu'),
    initializer_range: z.number().positive().default(0.02),
    bos_token_id: z.number().int().nonnegative().default(1),
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).default(2),
    pad_token_id: z.number().int().nonnegative().nullable().default(0),
  })
  .transform((c) => ({ ...c, num_key_value_heads: c.num_key_value_heads ?? c.num_attention_heads }));

/** A validated InternLM2 config (HF field names; `num_key_value_heads` always set). */
export type InternLM2Config = z.output<typeof internLM2ConfigSchema>;
/** What callers may pass: every field with a default may be omitted. */
export type InternLM2ConfigInput = z.input<typeof internLM2ConfigSchema>;

export const INTERNLM2_ARCHITECTURE = 'InternLM2ForCausalLM';

/** Shapes derived from a config, computed once so no caller re-derives them differently. */
export interface InternLM2Dims {
  headDim: number;
  nHeads: number;
  nKvHeads: number;
  /** Query heads per KV head (GQA group size). */
  qPerKv: number;
  /** Rows of the packed `wqkv` matrix: (nHeads + 2·nKvHeads)·headDim. */
  qkvRows: number;
}

export function internLM2Dims(c: InternLM2Config): InternLM2Dims {
  const headDim = c.hidden_size / c.num_attention_heads;
  const nKvHeads = c.num_key_value_heads;
  return {
    headDim,
    nHeads: c.num_attention_heads,
    nKvHeads,
    qPerKv: c.num_attention_heads / nKvHeads,
    qkvRows: (c.num_attention_heads + 2 * nKvHeads) * headDim,
  };
}

/**
 * Validates an HF config object. Throws ModelError with a stable code:
 * MODEL_CONFIG_INVALID (fields), MODEL_UNKNOWN_ARCHITECTURE, MODEL_BAD_HEADS, MODEL_BIAS_UNSUPPORTED.
 */
export function parseInternLM2Config(raw: unknown, source = 'config.json'): InternLM2Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ModelError('MODEL_CONFIG_INVALID', `${source} must be a JSON object with InternLM2 hyper-parameters.`);
  }
  const archs = (raw as { architectures?: unknown }).architectures;
  if (archs !== undefined) {
    const list = Array.isArray(archs) ? archs : [archs];
    if (!list.includes(INTERNLM2_ARCHITECTURE)) {
      throw new ModelError(
        'MODEL_UNKNOWN_ARCHITECTURE',
        `${source} declares architectures ${JSON.stringify(archs)}; Puyu supports only ${INTERNLM2_ARCHITECTURE}. ` +
          'Convert the checkpoint to InternLM2 or pick an InternLM2/2.5 model.',
        { details: { architectures: archs } },
      );
    }
  }
  const r = internLM2ConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = formatIssues(r.error.issues);
    throw new ModelError('MODEL_CONFIG_INVALID', `${source} is invalid:\n  - ${lines.join('\n  - ')}`, {
      details: { issues: lines },
    });
  }
  const c = r.data;
  checkInternLM2Config(c, source);
  return c;
}

/** A rule of the InternLM2 architecture a config breaks: the field to change and why. */
export interface InternLM2ConfigProblem {
  code: 'MODEL_BAD_HEADS' | 'MODEL_BIAS_UNSUPPORTED' | 'MODEL_CONFIG_INVALID';
  /** The field to change (HF name). */
  field: string;
  message: string;
}

/** The fields the cross-field rules read; defaults apply where a caller has none. */
export type InternLM2ShapeFields = Pick<InternLM2Config, 'hidden_size' | 'num_attention_heads'> &
  Partial<Pick<InternLM2Config, 'num_key_value_heads' | 'bias' | 'hidden_act'>>;

/**
 * Every cross-field rule the config breaks (zod checks each field alone). One copy of
 * these rules: `parseInternLM2Config` throws the first; configs that embed a model
 * shape (the pretraining config) report them all.
 */
export function internLM2ConfigProblems(c: InternLM2ShapeFields): InternLM2ConfigProblem[] {
  const out: InternLM2ConfigProblem[] = [];
  const heads = c.num_attention_heads;
  const kvHeads = c.num_key_value_heads ?? heads;
  if (c.hidden_size % heads !== 0)
    out.push({
      code: 'MODEL_BAD_HEADS',
      field: 'num_attention_heads',
      message:
        `hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${heads}; ` +
        'choose a head count that divides the hidden size.',
    });
  if (heads % kvHeads !== 0)
    out.push({
      code: 'MODEL_BAD_HEADS',
      field: 'num_key_value_heads',
      message: `num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}; grouped-query attention needs whole groups.`,
    });
  if (c.hidden_size % heads === 0 && (c.hidden_size / heads) % 2 !== 0)
    out.push({
      code: 'MODEL_BAD_HEADS',
      field: 'hidden_size',
      message: `head dimension ${c.hidden_size / heads} is odd; RoPE rotates pairs and needs an even head dimension.`,
    });
  if (c.bias)
    out.push({
      code: 'MODEL_BIAS_UNSUPPORTED',
      field: 'bias',
      message: 'bias=true is not supported (InternLM2 checkpoints have no linear biases); set "bias": false.',
    });
  if (c.hidden_act !== undefined && c.hidden_act !== 'silu')
    out.push({
      code: 'MODEL_CONFIG_INVALID',
      field: 'hidden_act',
      message: `hidden_act "${c.hidden_act}" is not supported; InternLM2 uses "silu".`,
    });
  return out;
}

/** Cross-field checks zod cannot express per field. */
function checkInternLM2Config(c: InternLM2Config, source: string): void {
  const [first] = internLM2ConfigProblems(c);
  if (first) throw new ModelError(first.code, `${source}: ${first.message}`);
}

/** Builds a full config from the few numbers a user picks (CLI presets, tests). */
export function makeInternLM2Config(input: InternLM2ConfigInput): InternLM2Config {
  return parseInternLM2Config({ architectures: [INTERNLM2_ARCHITECTURE], model_type: 'internlm2', ...input }, 'config');
}

/** The JSON object written as `config.json` (HF field order first, then anything extra). */
export function internLM2ConfigToJson(c: InternLM2Config): Record<string, unknown> {
  return {
    ...c,
    architectures: c.architectures,
    auto_map: (c as Record<string, unknown>).auto_map ?? {
      AutoConfig: 'configuration_internlm2.InternLM2Config',
      AutoModelForCausalLM: 'modeling_internlm2.InternLM2ForCausalLM',
      AutoModel: 'modeling_internlm2.InternLM2ForCausalLM',
    },
    torch_dtype: (c as Record<string, unknown>).torch_dtype ?? 'float32',
  };
}

/** Total parameter count implied by a config. */
export function internLM2ParamCount(c: InternLM2Config): number {
  const d = internLM2Dims(c);
  const h = c.hidden_size;
  const perLayer = d.qkvRows * h + h * h + 3 * h * c.intermediate_size + 2 * h;
  const embed = c.vocab_size * h;
  return embed + (c.tie_word_embeddings ? 0 : embed) + h + c.num_hidden_layers * perLayer;
}
