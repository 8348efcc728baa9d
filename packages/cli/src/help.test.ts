import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram, commandLine } from './main.js';

/**
 * `puyu --help` and every subcommand's help are complete and consistent. The rules:
 * - a command's description is one line of at most 120 characters that starts with a capital
 *   letter and ends without a period (`Serve a GGUF file …`), and names no tracker issue;
 * - every argument and option has a description: one line, no trailing period;
 * - long flags are kebab-case, and a flag used by several commands takes the same kind of value
 *   everywhere (FLAG_VALUES below), numeric values parsed by options.ts;
 * - every command's --help renders and lists all its options.
 * The tree is built as main() builds it; no action runs, so nothing native loads.
 */

const program = buildProgram();
const commands = allCommands(program);
const list = (offenders: readonly string[]): string => `\n  - ${offenders.join('\n  - ')}\n`;

function longFlag(o: Option): string | undefined {
  return o.long ?? undefined;
}

/** `<n>`, `[dir]`, `<files...>`: what a flag's value is called, or '' for a switch. */
function valueName(o: Option): string {
  return /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
}

/**
 * Flags that several commands share, and the value each takes everywhere ('' = a switch). A
 * flag not listed may still appear twice, but must then take a value in both or in neither.
 */
const FLAG_VALUES: Record<string, string> = {
  '--json': '',
  '--quiet': '',
  '--force': '',
  '--resume': '',
  '--threads': 'n',
  '--port': 'port',
  '--host': 'host',
  '--token': 'token',
  '--api-key': 'key',
  '--api-key-env': 'name',
  '--concurrency': 'n',
  '--limit': 'n',
  '--seed': 'n',
  '--timeout': 'seconds',
  '--retries': 'n',
  '--data-root': 'dir',
  '--runs': 'dir',
  '--kb': 'dir',
  '--docs': 'dir',
  '--models': 'specs',
  '--embed': 'spec',
  '--judge': 'spec',
  '--threshold': 'j',
  '--temperature': 't',
};

/** Value names that are numbers: their options must parse with options.ts (intOption/numberOption). */
const NUMERIC_VALUES = new Set(['n', 'port', 'seconds', 'x', 'j', 't', 'tokens', 'bytes', 'minutes', 's']);

/** Flags whose name means different things in different commands, kept because scripts and recipes use them. */
const KNOWN_HOMONYMS: Record<string, string> = {
  '--model': 'a tokenizer file for `tokenizer encode|decode`, a chat model spec elsewhere',
  '--data': 'the held-out JSONL for `eval calculator`, the label data folder for `label …`',
  '--gguf': 'a GGUF file to write for `model init`, GGUF types to convert to for `train merge`',
};

describe('puyu --help', () => {
  it('walks a tree with every stage registered', () => {
    const top = program.commands.map((c) => c.name());
    for (const name of ['tokenizer', 'model', 'train', 'serve', 'quantize', 'eval', 'extract', 'studio', 'data', 'agent', 'doctor']) {
      expect(top).toContain(name);
    }
    expect(commands.length).toBeGreaterThan(40);
  });

  it('every command has a one-line description that starts with a capital letter and ends without a period', () => {
    const bad = [program, ...commands]
      .map((c) => [commandLine(c), c.description()] as const)
      .filter(([, d]) => !/^[A-Z]/.test(d) || d.includes('\n') || d.endsWith('.') || d.length > 120 || /\bissue \d/i.test(d))
      .map(([c, d]) => `${c}: ${JSON.stringify(d)} (${d.length} chars)`);
    expect(bad, list(bad)).toEqual([]);
  });

  it('every argument and option has a one-line description without a trailing period', () => {
    const bad: string[] = [];
    for (const c of commands) {
      for (const a of c.registeredArguments) {
        const d = a.description ?? '';
        if (!d.trim() || d.includes('\n') || d.endsWith('.')) bad.push(`${commandLine(c)} <${a.name()}>: ${JSON.stringify(d)}`);
      }
      for (const o of c.options) {
        const d = o.description ?? '';
        if (!d.trim() || d.includes('\n') || d.endsWith('.')) bad.push(`${commandLine(c)} ${o.flags}: ${JSON.stringify(d)}`);
      }
    }
    expect(bad, list(bad)).toEqual([]);
  });

  it('long flags are kebab-case and short flags are one letter', () => {
    const bad: string[] = [];
    for (const c of commands)
      for (const o of c.options) {
        if (!o.long || !/^--[a-z0-9]+(-[a-z0-9]+)*$/.test(o.long)) bad.push(`${commandLine(c)} ${o.flags}`);
        if (o.short && !/^-[a-zA-Z]$/.test(o.short)) bad.push(`${commandLine(c)} ${o.flags}`);
      }
    expect(bad, list(bad)).toEqual([]);
  });

  it('a flag shared by several commands takes the same kind of value everywhere', () => {
    const seen = new Map<string, { value: string; where: string }>();
    const bad: string[] = [];
    for (const c of commands)
      for (const o of c.options) {
        const flag = longFlag(o);
        if (!flag || flag in KNOWN_HOMONYMS) continue;
        const value = valueName(o);
        const where = `${commandLine(c)} ${o.flags}`;
        const expected = FLAG_VALUES[flag];
        if (expected !== undefined && value !== expected) bad.push(`${where}: ${flag} takes ${expected ? `<${expected}>` : 'no value'}`);
        const first = seen.get(flag);
        if (first && (first.value === '') !== (value === ''))
          bad.push(`${where}: a switch in one command, a value in another (${first.where})`);
        if (!first) seen.set(flag, { value, where });
      }
    expect(bad, list(bad)).toEqual([]);
  });

  it('numeric option values are parsed and range-checked by options.ts', () => {
    const bad: string[] = [];
    for (const c of commands)
      for (const o of c.options) {
        if (NUMERIC_VALUES.has(valueName(o)) && typeof o.parseArg !== 'function') bad.push(`${commandLine(c)} ${o.flags}`);
      }
    expect(bad, list(bad)).toEqual([]);
  });

  it('--json is a switch wherever it appears, described as printing JSON', () => {
    const withJson = commands.filter((c) => c.options.some((o) => o.long === '--json'));
    expect(withJson.length).toBeGreaterThan(5);
    for (const c of withJson) expect(c.options.find((o) => o.long === '--json')?.description, commandLine(c)).toMatch(/JSON/);
  });

  it("every command's --help renders and lists its arguments and options", () => {
    for (const c of [program, ...commands]) {
      const text = c.helpInformation();
      expect(text, commandLine(c)).toContain(`Usage: ${commandLine(c)}`);
      for (const o of c.options) expect(text, `${commandLine(c)} ${o.flags}`).toContain(o.flags);
      for (const a of c.registeredArguments) expect(text, `${commandLine(c)} <${a.name()}>`).toContain(a.name());
      for (const sub of c.commands) expect(text, `${commandLine(c)} lists ${sub.name()}`).toContain(sub.name());
    }
  });

  it('the known homonyms are still the only ones (drop an entry once its flag is renamed)', () => {
    for (const flag of Object.keys(KNOWN_HOMONYMS)) {
      const values = new Set(commands.flatMap((c) => c.options.filter((o) => o.long === flag).map(valueName)));
      expect(values.size, flag).toBeGreaterThan(1);
    }
  });
});

export type { Command };
