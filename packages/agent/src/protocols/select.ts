import { AgentError } from '../errors.js';
import { InternLM2Protocol, type InternLM2ProtocolOptions } from './internlm2.js';
import { OpenAIProtocol } from './openai.js';
import type { Protocol, ProtocolName } from './protocol.js';
import { ReActProtocol } from './react.js';

export const PROTOCOL_NAMES: readonly ProtocolName[] = ['internlm2', 'openai', 'react'];

export function makeProtocol(name: string, opts: InternLM2ProtocolOptions = {}): Protocol {
  if (name === 'internlm2') return new InternLM2Protocol(opts);
  if (name === 'openai') return new OpenAIProtocol();
  if (name === 'react') return new ReActProtocol();
  throw new AgentError('AGENT_BAD_PROTOCOL', `Unknown protocol ${JSON.stringify(name)}; use ${PROTOCOL_NAMES.join(', ')}.`);
}

/**
 * The protocol for a model: an explicit choice per model name wins (`perModel`), else the
 * endpoint's default: a completions endpoint gets InternLM2's native prompt (it is raw text
 * in, raw text out), a chat endpoint OpenAI function calling.
 */
export function chooseProtocol(o: {
  model: string;
  api: 'chat' | 'completions';
  perModel?: Record<string, string>;
  explicit?: string;
}): Protocol {
  const named = o.explicit ?? o.perModel?.[o.model];
  if (named) return makeProtocol(named);
  return makeProtocol(o.api === 'completions' ? 'internlm2' : 'openai');
}
