import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The web app's strings live only in message files (src/messages, src/pages/<stage>/messages),
// one per language. This checks them from the files: the same keys in zh and en, nothing empty,
// nothing left in English in the Chinese file, and no text written straight into the pages.
const SRC = resolve(__dirname, '../src');

function flatten(o: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else Object.assign(out, flatten(v, key));
  }
  return out;
}

function bundles(): { ns: string; en: Record<string, string>; zh: Record<string, string> }[] {
  const dirs = [{ ns: 'common', dir: join(SRC, 'messages') }];
  for (const s of readdirSync(join(SRC, 'pages'))) dirs.push({ ns: s, dir: join(SRC, 'pages', s, 'messages') });
  return dirs.map(({ ns, dir }) => ({
    ns,
    en: flatten(JSON.parse(readFileSync(join(dir, 'en.json'), 'utf8'))),
    zh: flatten(JSON.parse(readFileSync(join(dir, 'zh.json'), 'utf8'))),
  }));
}

/** Strings that are the same in both languages on purpose: language names, shell commands, JSON examples. */
const SAME_ON_PURPOSE = /^(languages\.|(lineage\.)?emptyHint$|customToolsHint$|role\.(gguf|run)$)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.tsx') ? [p] : [];
  });
}

describe('Studio message files', () => {
  it('every page and the shell have en and zh files with the same keys, none empty', () => {
    const b = bundles();
    expect(b.map((x) => x.ns).sort()).toEqual([
      'agent',
      'assistant',
      'chat',
      'common',
      'evaluation',
      'label',
      'mindsearch',
      'models',
      'overview',
      'serving',
      'training',
    ]);
    for (const { ns, en, zh } of b) {
      expect(Object.keys(zh).sort(), ns).toEqual(Object.keys(en).sort());
      for (const [k, v] of [...Object.entries(en), ...Object.entries(zh)]) expect(v.trim(), `${ns}:${k}`).not.toBe('');
    }
  });

  it('nothing in the Chinese files is left in English', () => {
    for (const { ns, en, zh } of bundles()) {
      for (const [k, v] of Object.entries(zh)) {
        if (SAME_ON_PURPOSE.test(k)) continue;
        // identical to English and holding an English word: untranslated
        if (v === en[k] && /[a-z]{3,}/i.test(v.replace(/\{\{\w+\}\}/g, ''))) expect.fail(`${ns}:${k} is untranslated: "${v}"`);
        // the placeholders must survive translation
        expect([...v.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort(), `${ns}:${k}`).toEqual(
          [...en[k].matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort(),
        );
      }
    }
  });

  it('the pages write no text of their own into the markup (it all comes from t())', () => {
    for (const f of files(SRC)) {
      const src = readFileSync(f, 'utf8');
      // JSX text between tags that holds a letter: `>Loss<`, `> Send <`
      const bare = [...src.matchAll(/(?<!=)>([^<>{}\n();]*[A-Za-z\u4e00-\u9fff][^<>{}\n();]*)<[/A-Za-z]/g)]
        .map((m) => m[1].trim())
        .filter(Boolean);
      expect(bare, f).toEqual([]);
    }
  });
});
