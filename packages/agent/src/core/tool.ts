import { pythonJsonDumps } from '@puyu/formats/chat';
import { z } from 'zod';
import { AgentError } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  /** Aborted on timeout or when the run stops; long tools should pass it on. */
  signal: AbortSignal;
}

/**
 * A tool the model may call. The input is a zod schema: it validates the model's arguments (a
 * failure goes back to the model as the tool's result) and is exported as the JSON Schema the
 * model is shown.
 */
export interface Tool<I = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  run(input: I, ctx: ToolContext): unknown | Promise<unknown>;
  /** Per-call wall-clock limit; overrides the executor's default. */
  timeoutMs?: number;
  /** The JSON Schema shown to the model when it is not derived from `input` (an MCP server's own schema). */
  parameters?: JsonSchema;
}

// OpenAI function names: letters, digits, underscores and dashes, at most 64.
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function defineTool<S extends z.ZodType>(def: {
  name: string;
  description: string;
  input: S;
  run(input: z.output<S>, ctx: ToolContext): unknown | Promise<unknown>;
  timeoutMs?: number;
}): Tool<z.output<S>> {
  if (!NAME_RE.test(def.name)) {
    throw new AgentError('AGENT_BAD_TOOL', `Tool name ${JSON.stringify(def.name)} must be 1-64 letters, digits, _ or -.`);
  }
  return def as unknown as Tool<z.output<S>>;
}

/**
 * The tool's parameters as JSON Schema, from zod's own converter. `io: 'input'` describes what
 * the model must send (no `additionalProperties: false` forced on objects), and `$schema` is
 * dropped: models were trained on bare schemas such as
 * `{"type": "object", "properties": {...}, "required": [...]}`.
 */
export function toolParameters(tool: Tool): JsonSchema {
  if (tool.parameters) return tool.parameters;
  const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

/** The OpenAI `tools` entry for a tool. */
export function toOpenAITool(tool: Tool): { type: 'function'; function: { name: string; description: string; parameters: JsonSchema } } {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: toolParameters(tool) } };
}

/** Checks names are unique; returns a lookup. */
export function toolMap(tools: readonly Tool[]): Map<string, Tool> {
  const map = new Map<string, Tool>();
  for (const t of tools) {
    if (map.has(t.name))
      throw new AgentError('AGENT_BAD_TOOL', `Two tools are named ${JSON.stringify(t.name)}; tool names must be unique.`);
    map.set(t.name, t);
  }
  return map;
}

/**
 * A tool's return value as the text the model reads: strings as they are, anything else as
 * Python's `json.dumps` writes it (`{"result": 5}`), the form InternLM2 and our calculator SFT
 * data saw tool results in (Lagent and LMDeploy serialise them in Python).
 */
export function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return pythonJsonDumps(value);
  } catch {
    return String(value);
  }
}
