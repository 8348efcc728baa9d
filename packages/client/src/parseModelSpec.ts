import { ConfigError } from '@puyu/core';

/** A model named on the command line: `[completions+]URL@model` or `local:PATH` (a GGUF served through @puyu/serve). */
export type ModelSpec =
  | { kind: 'openai'; baseUrl: string; model: string; api: 'chat' | 'completions' }
  | { kind: 'local'; path: string; model: string };

/**
 * Parses one `--models` entry. The model name follows the last `@` (URLs may hold user@host,
 * model names may not); a `completions+` prefix picks /v1/completions (base models), the
 * default is /v1/chat/completions. Bad specs throw CLIENT_BAD_MODEL_SPEC, which was
 * EVAL_BAD_MODEL_SPEC until the parser moved here from @puyu/eval (codes carry their package's prefix).
 */
export function parseModelSpec(spec: string): ModelSpec {
  const s = spec.trim();
  if (s.startsWith('local:')) {
    const path = s.slice('local:'.length);
    if (!path) throw new ConfigError('CLIENT_BAD_MODEL_SPEC', `"${spec}": local: needs a GGUF path, e.g. local:./tiny.gguf`);
    const name = path
      .split('/')
      .at(-1)!
      .replace(/\.gguf$/i, '');
    return { kind: 'local', path, model: name };
  }
  let api: 'chat' | 'completions' = 'chat';
  let rest = s;
  for (const p of ['completions+', 'chat+'] as const) {
    if (rest.startsWith(p)) {
      api = p === 'chat+' ? 'chat' : 'completions';
      rest = rest.slice(p.length);
    }
  }
  const at = rest.lastIndexOf('@');
  const url = at > 0 ? rest.slice(0, at) : '';
  const model = at > 0 ? rest.slice(at + 1) : '';
  if (!/^https?:\/\/[^/\s]+/.test(url) || !model)
    throw new ConfigError(
      'CLIENT_BAD_MODEL_SPEC',
      `"${spec}" is not a model spec: use URL@model (e.g. http://127.0.0.1:8000@internlm2), completions+URL@model for a base model, or local:PATH.gguf`,
    );
  return { kind: 'openai', baseUrl: url, model, api };
}
