import { ConfigError, FileError } from '@puyu/core/errors';
import { describe, expect, it } from 'vitest';
import { actionFor, alreadySays, errorActions, formatFailure, formatUsageError, hintFor } from './errorOutput.js';

const actions = {
  CLI_BAD_OPTION: 'Use a value the message lists (see --help).',
  CONFIG_NOT_FOUND: 'Check the path and its permissions.',
  'PROVIDER_HTTP_<status>': 'Check the endpoint; the status says why.',
} as Record<string, string>;

describe('failure output', () => {
  it('reads the registry written by `npm run docs:errors`', () => {
    const all = errorActions();
    expect(all.CLI_USAGE).toMatch(/--help/);
    expect(all.CONFIG_NOT_FOUND).toBeTruthy();
    expect(Object.keys(all).length).toBeGreaterThan(100);
  });

  it('finds an action by code, and by family for PROVIDER_HTTP_429', () => {
    expect(actionFor('CONFIG_NOT_FOUND', actions)).toBe('Check the path and its permissions.');
    expect(actionFor('PROVIDER_HTTP_429', actions)).toBe('Check the endpoint; the status says why.');
    expect(actionFor('PROVIDER_HTTP_', actions)).toBeUndefined();
    expect(actionFor('NO_SUCH_CODE', actions)).toBeUndefined();
  });

  it('skips the hint when the message already says it', () => {
    expect(alreadySays('cannot read config c.json. Check the path.', 'Check the path and its permissions.')).toBe(true);
    expect(alreadySays('x.gguf exists; pass --force to overwrite it.', 'Pass --force to overwrite it, or choose another output.')).toBe(
      true,
    );
    expect(
      alreadySays(
        'boom (this is a bug: rerun with PUYU_DEBUG=1 and report the stack).',
        'Rerun with PUYU_DEBUG=1 and report the stack trace.',
      ),
    ).toBe(true);
    expect(alreadySays('--threads must be an integer ≥ 1, got "x".', 'Use a value the message lists (see --help).')).toBe(false);
  });

  it('prints one line, then the hint naming the failing command', () => {
    const e = new ConfigError('CLI_BAD_OPTION', '--threads must be an integer ≥ 1, got "x".');
    expect(formatFailure(e, 'puyu quantize', actions)).toBe(
      'puyu: [CLI_BAD_OPTION] --threads must be an integer ≥ 1, got "x".\n  hint: Use a value the message lists (see puyu quantize --help).\n',
    );
    expect(hintFor('CLI_BAD_OPTION', 'bad', undefined, actions)).toBe('Use a value the message lists (see --help).');
    expect(formatFailure(new FileError('CONFIG_NOT_FOUND', 'c.json does not exist. Check the path.'), undefined, actions)).toBe(
      'puyu: [CONFIG_NOT_FOUND] c.json does not exist. Check the path.\n',
    );
  });

  it('an unknown code or a raw error still prints its one line', () => {
    expect(formatFailure(new ConfigError('ELSEWHERE_X' as never, 'odd.'), undefined, actions)).toBe('puyu: [ELSEWHERE_X] odd.\n');
    expect(formatFailure(new Error('kaput'), undefined, {})).toMatch(/^puyu: \[INTERNAL_ERROR\] kaput .*\n$/);
  });

  it("turns commander's messages into one line plus a --help hint", () => {
    expect(formatUsageError("error: unknown option '--x'\n", 'puyu serve')).toBe(
      "puyu: [CLI_USAGE] unknown option '--x'\n  hint: run puyu serve --help\n",
    );
    expect(formatUsageError("error: unknown command 'modle'\n(Did you mean model?)\n", 'puyu')).toBe(
      "puyu: [CLI_USAGE] unknown command 'modle' (did you mean model?)\n  hint: run puyu --help\n",
    );
  });
});
