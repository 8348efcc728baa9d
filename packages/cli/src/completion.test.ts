import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { completionScript } from './completion.js';
import { allCommands, buildProgram } from './main.js';

// The scripts are generated from the same tree main() parses with, then checked by the shells
// themselves: `bash -n` / `zsh -n` / `fish --no-execute` for syntax, and completions asked of them.
const program = buildProgram();
const dir = mkdtempSync(join(tmpdir(), 'puyu-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function has(shell: string): boolean {
  const ok = spawnSync(shell, ['-c', 'exit 0']).status === 0;
  if (!ok) console.log(`${shell} is not installed: its completion script is only checked as text (apt-get install ${shell})`);
  return ok;
}

function write(shell: 'bash' | 'zsh' | 'fish'): string {
  const file = join(dir, `puyu.${shell}`);
  writeFileSync(file, completionScript(shell, program));
  return file;
}

/** What `_puyu` offers in bash for the words typed so far (the last one being completed). */
function bashComplete(file: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _puyu; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

const subcommandsOf = (c: Command) => c.commands.map((s) => s.name());

describe('puyu completion', () => {
  it('the bash script lists every command and subcommand, and every option of each', () => {
    const text = completionScript('bash', program);
    for (const c of [program, ...allCommands(program)]) {
      for (const name of subcommandsOf(c)) expect(text).toContain(name);
      for (const o of c.options) expect(text).toContain(o.long ?? o.short);
    }
    expect(text).toContain("'train pretrain')");
    expect(text).toMatch(/complete .* -F _puyu puyu/);
  });

  it.runIf(has('bash'))('bash -n accepts the bash script, and it completes commands, subcommands and options', () => {
    const file = write('bash');
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    expect(bashComplete(file, ['puyu', ''])).toEqual(subcommandsOf(program));
    expect(bashComplete(file, ['puyu', 'tr'])).toEqual(['train']);
    const train = program.commands.find((c) => c.name() === 'train')!;
    expect(bashComplete(file, ['puyu', 'train', ''])).toEqual(subcommandsOf(train));
    expect(bashComplete(file, ['puyu', 'train', 'pretrain', 'c.json', '--th'])).toEqual(['--threads']);
    expect(bashComplete(file, ['puyu', 'serve', 'proxy', '--h'])).toEqual(['--host', '--health-interval', '--help']);
    // an option's value, or an argument: nothing offered, so bash falls back to file names
    expect(bashComplete(file, ['puyu', 'eval', 'run', '--out', ''])).toEqual([]);
    expect(bashComplete(file, ['puyu', 'model', 'inspect', ''])).toEqual([]);
    // a value or argument from a fixed set completes from it
    expect(bashComplete(file, ['puyu', 'serve', 'm.gguf', '--kv-cache-type', 'q'])).toEqual(['q8_0', 'q4_0']);
    expect(bashComplete(file, ['puyu', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it.runIf(has('zsh'))('zsh -n accepts the zsh script, and it offers subcommands, options and values', () => {
    const file = write('zsh');
    const syntax = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    // compsys's _describe and _files stubbed to print what they are handed
    const ask = (words: string[]) => `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _puyu;`;
    const r = spawnSync(
      'zsh',
      [
        '-c',
        `compdef() {}; source '${file}'; ` +
          `_describe() { local -a given; given=("\${(@P)4}"); print -r -- "$3: \${(j: :)\${(@)given%%:*}}"; }; _files() { print files; }; ` +
          ask(['puyu', 'train', '']) +
          ask(['puyu', 'train', 'pretrain', '--']) +
          ask(['puyu', 'serve', 'm.gguf', '--kv-cache-type', '']) +
          ask(['puyu', 'eval', 'run', '--out', '']),
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'command: pretrain sft dpo lora merge',
      'option: --resume --threads --precision --json -h --help',
      'value: f16 f32 q8_0 q4_0',
      'files',
    ]);
  });

  it.runIf(has('fish'))('fish accepts the fish script and completes from it', () => {
    const file = write('fish');
    const syntax = spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    const r = spawnSync(
      'fish',
      [
        '-c',
        `source '${file}'; complete -C 'puyu train pre'; complete -C 'puyu train pretrain --th'; complete -C 'puyu serve m.gguf --kv-cache-type q'`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/^pretrain\tPretrain/m);
    expect(r.stdout).toMatch(/^--threads\tCPU threads/m);
    expect(r.stdout).toMatch(/^q8_0\t/m);
  });
});
