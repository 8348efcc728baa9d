/**
 * Rebuilds bench/assistant/corpus/ from the installed Debian Reference (apt packages
 * debian-reference-en and debian-reference-zh-cn): the package's own plain-text rendering
 * (debian-reference.<lang>.txt.gz) split at its chapter headings, five chapters per language,
 * copied verbatim (GPL-2+; see SOURCE.md). The questions quote these files, so they are
 * committed: rerun this only when moving to another package version, then rebuild the
 * questions (buildQuestions.ts), which checks every quote still occurs.
 *
 *   npx tsx bench/assistant/makeCorpus.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CORPUS_DIR } from './questions.js';

export const DEBIAN_REFERENCE_DIR = '/usr/share/debian-reference';
export const CHAPTERS = [3, 4, 5, 6, 8];
/** The package version the committed corpus was cut from (SOURCE.md). */
export const PACKAGE_VERSION = '2.100';
/** corpus folder name → the package's language tag and its chapter heading (NBSPs in both) */
export const LANGS: Record<string, { tag: string; heading: RegExp }> = {
  en: { tag: 'en', heading: /^Chapter\s(\d+)\.\s(.+)$/ },
  'zh-cn': { tag: 'zh-cn', heading: /^第\s(\d+)\s章\s(.+)$/ },
};

export function packageText(lang: string): string | undefined {
  const file = join(DEBIAN_REFERENCE_DIR, `debian-reference.${LANGS[lang].tag}.txt.gz`);
  return existsSync(file) ? gunzipSync(readFileSync(file)).toString('utf8') : undefined;
}

/** The installed debian-reference version, from its changelog; undefined when not installed. */
export function installedVersion(): string | undefined {
  const file = '/usr/share/doc/debian-reference-common/changelog.gz';
  if (!existsSync(file)) return undefined;
  return /^debian-reference \(([^)]+)\)/.exec(gunzipSync(readFileSync(file)).toString('utf8'))?.[1];
}

/** The chapters of one language's plain-text book, keyed by corpus file name (ch03.txt …). */
export function splitChapters(lang: string, text: string): Map<string, string> {
  const lines = text.split('\n');
  const starts: { n: number; line: number }[] = [];
  lines.forEach((l, i) => {
    const m = LANGS[lang].heading.exec(l);
    if (m) starts.push({ n: Number(m[1]), line: i });
  });
  const out = new Map<string, string>();
  for (const n of CHAPTERS) {
    const at = starts.findIndex((s) => s.n === n);
    if (at < 0) throw new Error(`chapter ${n} not found in the ${lang} text`);
    const end = starts[at + 1]?.line ?? lines.length;
    out.set(`ch${String(n).padStart(2, '0')}.txt`, `${lines.slice(starts[at].line, end).join('\n').trimEnd()}\n`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const lang of Object.keys(LANGS)) {
    const text = packageText(lang);
    if (!text) throw new Error(`${DEBIAN_REFERENCE_DIR} has no ${lang} text: apt-get install debian-reference-${LANGS[lang].tag}`);
    const dir = join(CORPUS_DIR, lang);
    mkdirSync(dir, { recursive: true });
    for (const [name, body] of splitChapters(lang, text)) {
      writeFileSync(join(dir, name), body);
      console.log(`${join(dir, name)}: ${body.length} chars`);
    }
  }
}
