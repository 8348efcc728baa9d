import { createHash } from 'node:crypto';
import { LabelError } from '../errors.js';
import { type DialogueData, DialogueDataSchema } from '../shapes.js';
import { type ImportedAnnotation, parseExportedAnnotations } from './exportRecords.js';

export type DialogueFormat = 'auto' | 'labelllm' | 'openai' | 'xtuner' | 'puyu';
export const DIALOGUE_FORMATS: readonly DialogueFormat[] = ['auto', 'labelllm', 'openai', 'xtuner', 'puyu'];

export interface ParsedDialogue {
  /** 1-based line of the JSONL text. */
  line: number;
  key: string;
  data: DialogueData;
  preAnnotation?: unknown;
  createdAt?: string;
  annotations?: ImportedAnnotation[];
}

export interface SkippedLine {
  line: number;
  code: string;
  reason: string;
}

type Role = 'system' | 'user' | 'assistant';
type Msg = { id: string; role: Role; content: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (m: string) => new LabelError('LABEL_BAD_IMPORT', m);

/**
 * Parses dialogue JSONL: LabelLLM's upload shape (`prompt` + `conversation` of send/receive
 * messages), OpenAI `messages` (with optional `candidates`), XTuner's `conversation` of
 * `{system?, input, output}` turns, or our own raw/labels/audits export (`puyu`). Text is kept
 * verbatim (no HTML or SQL escaping happens here: it is stored as data and sent back as JSON).
 * Bad lines are reported with their number and reason; the rest are imported.
 */
export function parseDialogueJsonl(text: string, format: DialogueFormat = 'auto'): { dialogues: ParsedDialogue[]; skipped: SkippedLine[] } {
  const dialogues: ParsedDialogue[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    try {
      let value: unknown;
      try {
        value = JSON.parse(source);
      } catch (e) {
        throw bad(`not valid JSON: ${(e as Error).message}`);
      }
      if (!isObject(value)) throw bad('the line is not a JSON object');
      dialogues.push({ line: i + 1, ...parseRecord(value, format === 'auto' ? detect(value) : format, source) });
    } catch (e) {
      if (!(e instanceof LabelError)) throw e;
      skipped.push({ line: i + 1, code: e.code, reason: e.message });
    }
  });
  return { dialogues, skipped };
}

function detect(v: Record<string, unknown>): Exclude<DialogueFormat, 'auto'> {
  if ('data' in v && 'key' in v) return 'puyu';
  if (Array.isArray(v.conversation)) return isObject(v.conversation[0]) && 'message_type' in v.conversation[0] ? 'labelllm' : 'xtuner';
  if ('messages' in v) return 'openai';
  throw bad('no "messages", "conversation" or "data" field: the line is none of the OpenAI, LabelLLM, XTuner or puyu shapes');
}

function parseRecord(v: Record<string, unknown>, format: Exclude<DialogueFormat, 'auto'>, source: string): Omit<ParsedDialogue, 'line'> {
  if (format === 'puyu') return parsePuyu(v);
  const key =
    typeof v.id === 'string' && v.id !== ''
      ? v.id
      : typeof v.conversation_id === 'string' && v.conversation_id !== ''
        ? v.conversation_id
        : hashKey(source);
  let messages: Msg[];
  const meta: Record<string, unknown> = {};
  if (format === 'labelllm') {
    messages = fromLabelLlm(v);
    if (typeof v.prompt === 'string') meta.prompt = v.prompt;
    for (const k of ['conversation_id', 'questionnaire_id', 'custom', 'reference_evaluation'])
      if (v[k] !== undefined && v[k] !== null) meta[k] = v[k];
  } else if (format === 'xtuner') messages = fromXtuner(v);
  else messages = fromOpenAi(v);
  // The trailing assistant turns answer the last user turn: they are the candidates to rank or rewrite.
  let cut = messages.length;
  while (cut > 0 && messages[cut - 1]?.role === 'assistant') cut--;
  const candidates = messages.slice(cut).map((m, i) => ({ id: `c${i + 1}`, content: m.content, source: 'import' }));
  if (format === 'openai' && v.candidates !== undefined) {
    if (!Array.isArray(v.candidates) || v.candidates.some((c) => typeof c !== 'string'))
      throw bad('"candidates" is not an array of strings');
    for (const c of v.candidates as string[]) candidates.push({ id: `c${candidates.length + 1}`, content: c, source: 'import' });
  }
  const prompt = messages.slice(0, cut);
  if (!prompt.some((m) => m.role === 'user')) throw bad('the dialogue has no user turn');
  const data: DialogueData = { kind: 'dialogue', messages: prompt, candidates, ...(Object.keys(meta).length ? { meta } : {}) };
  return { key, data };
}

function fromLabelLlm(v: Record<string, unknown>): Msg[] {
  return (v.conversation as unknown[]).map((m, i) => {
    if (!isObject(m)) throw bad(`conversation[${i}] is not an object`);
    if (m.message_type !== 'send' && m.message_type !== 'receive')
      throw bad(`conversation[${i}].message_type is neither "send" nor "receive"`);
    if (typeof m.content !== 'string') throw bad(`conversation[${i}].content is not a string`);
    const id = typeof m.message_id === 'string' && m.message_id !== '' ? m.message_id : `m${i + 1}`;
    return { id, role: m.message_type === 'send' ? 'user' : 'assistant', content: m.content };
  });
}

function fromXtuner(v: Record<string, unknown>): Msg[] {
  const out: Msg[] = [];
  (v.conversation as unknown[]).forEach((t, i) => {
    if (!isObject(t)) throw bad(`conversation[${i}] is not an object`);
    for (const k of ['system', 'input', 'output'] as const)
      if (t[k] !== undefined && t[k] !== null && typeof t[k] !== 'string') throw bad(`conversation[${i}].${k} is not a string`);
    if (typeof t.system === 'string' && t.system !== '') out.push({ id: `m${out.length + 1}`, role: 'system', content: t.system });
    out.push({ id: `m${out.length + 1}`, role: 'user', content: typeof t.input === 'string' ? t.input : '' });
    if (typeof t.output === 'string') out.push({ id: `m${out.length + 1}`, role: 'assistant', content: t.output });
  });
  return out;
}

function fromOpenAi(v: Record<string, unknown>): Msg[] {
  if (!Array.isArray(v.messages)) throw bad('"messages" is not an array');
  return v.messages.map((m, i) => {
    if (!isObject(m)) throw bad(`messages[${i}] is not an object`);
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant')
      throw bad(`messages[${i}].role must be system, user or assistant`);
    if (typeof m.content !== 'string')
      throw bad(`messages[${i}].content is not a string (multimodal parts are not supported for labelling)`);
    return { id: `m${i + 1}`, role: m.role, content: m.content };
  });
}

function parsePuyu(v: Record<string, unknown>): Omit<ParsedDialogue, 'line'> {
  if (typeof v.key !== 'string' || v.key === '') throw bad('"key" is not a non-empty string');
  const data = DialogueDataSchema.safeParse(v.data);
  if (!data.success) throw bad(`"data" is not dialogue data: ${data.error.issues[0]?.message ?? ''}`);
  return {
    key: v.key,
    data: data.data,
    ...(v.preAnnotation !== undefined ? { preAnnotation: v.preAnnotation } : {}),
    ...(typeof v.createdAt === 'string' ? { createdAt: v.createdAt } : {}),
    ...(v.annotations !== undefined ? { annotations: parseExportedAnnotations(v.annotations) } : {}),
  };
}

function hashKey(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}
