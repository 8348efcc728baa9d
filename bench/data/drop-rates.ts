/**
 * The committed table of drop rates per filter on real English and Chinese text
 * (packages/data/DROP_RATES.md): each operator of the default recipe, plus C4 and
 * decontamination, applied on its own to every document of each corpus (after normalisation),
 * with the share dropped, the top reason and an example.
 *
 *   npx tsx --conditions=source bench/data/drop-rates.ts [--out packages/data/DROP_RATES.md]
 *
 * Corpora: ../shared/datasets (Paul Graham essays, CMMLU test questions), the Debian
 * documentation installed on this machine (/usr/share/doc README and .txt files,
 * /usr/share/gnupg/help.zh_CN.txt), and the public-domain texts @puyu/model ships
 * (The Devil's Dictionary, Tang and Song poems). A corpus whose source is missing is skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  c4Operator,
  type Doc,
  decontaminateOperator,
  exactDedupOperator,
  gopherQualityOperator,
  gopherRepetitionOperator,
  langIdOperator,
  minhashDedupOperator,
  normalizeOperator,
  type Operator,
  piiOperator,
} from '@puyu/data';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'datasets');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'packages', 'data', 'DROP_RATES.md') } } });

const paragraphs = (t: string) =>
  t
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
const corpora: { name: string; lang: string; source: string; docs: () => string[] }[] = [
  {
    name: 'en-essays',
    lang: 'en',
    source: '../shared/datasets/paulgraham-essays (whole essays)',
    docs: () =>
      readdirSync(join(SHARED, 'paulgraham-essays'))
        .filter((f) => f.endsWith('.txt') && f !== 'LICENSE.txt')
        .map((f) => readFileSync(join(SHARED, 'paulgraham-essays', f), 'utf8')),
  },
  {
    name: 'en-debian-doc',
    lang: 'en',
    source: '/usr/share/doc/*/README*, *.txt (Debian package docs, ≤ 400 files)',
    docs: () => {
      const out: string[] = [];
      for (const pkg of readdirSync('/usr/share/doc').sort()) {
        const d = join('/usr/share/doc', pkg);
        if (!statSync(d).isDirectory()) continue;
        for (const f of readdirSync(d).sort()) {
          if (!/^README|\.txt(\.gz)?$/.test(f) || out.length >= 400) continue;
          const p = join(d, f);
          if (!statSync(p).isFile()) continue;
          const raw = readFileSync(p);
          out.push((f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
        }
      }
      return out;
    },
  },
  {
    name: 'en-devils-dictionary',
    lang: 'en',
    source: 'packages/model/assets/corpus/devils-dictionary.txt (one entry per paragraph)',
    docs: () => paragraphs(readFileSync(join(ROOT, 'packages', 'model', 'assets', 'corpus', 'devils-dictionary.txt'), 'utf8')),
  },
  {
    name: 'zh-tang-song',
    lang: 'zh',
    source: 'packages/model/assets/corpus/tang300-song100.txt (one poem per document)',
    docs: () => paragraphs(readFileSync(join(ROOT, 'packages', 'model', 'assets', 'corpus', 'tang300-song100.txt'), 'utf8')),
  },
  {
    name: 'zh-cmmlu',
    lang: 'zh',
    source: '../shared/datasets/cmmlu/test (question + choices per document)',
    docs: () =>
      readdirSync(join(SHARED, 'cmmlu', 'test'))
        .sort()
        .flatMap((f) =>
          readFileSync(join(SHARED, 'cmmlu', 'test', f), 'utf8')
            .split('\n')
            .slice(1)
            .filter(Boolean)
            .map((l) => l.split(',').slice(1, -1).join('\n')),
        ),
  },
  {
    name: 'zh-gnupg-help',
    lang: 'zh',
    source: '/usr/share/gnupg/help.zh_CN.txt (Debian gnupg, one help entry per paragraph)',
    docs: () => paragraphs(readFileSync('/usr/share/gnupg/help.zh_CN.txt', 'utf8').replace(/^#.*$/gm, '')),
  },
];

const benchmarks = [join(SHARED, 'gsm8k', 'test.jsonl'), join(SHARED, 'mmlu', 'test'), join(SHARED, 'cmmlu', 'test')].filter(existsSync);
const makeOps = async (): Promise<Operator[]> => [
  await langIdOperator({ keep: ['en', 'zh'] }),
  gopherQualityOperator(),
  gopherRepetitionOperator(),
  c4Operator(),
  piiOperator(),
  exactDedupOperator(),
  minhashDedupOperator(),
  ...(benchmarks.length ? [await decontaminateOperator({ benchmarks })] : []),
];

const lines: string[] = [
  '# Drop rates per filter on real text',
  '',
  'Each filter applied on its own to every document of a corpus (after `normalize`), so the',
  'columns do not add up: a pipeline runs them in sequence. Defaults of each operator (the',
  'default recipe); `c4` and `decontaminate` (13-grams against GSM8K, MMLU and CMMLU test sets)',
  'are not in the default recipe. PII is redaction, not a drop: its column counts redactions.',
  'Regenerate with `npx tsx --conditions=source bench/data/drop-rates.ts`.',
  '',
];
const names = (await makeOps()).map((o) => o.name);
lines.push(`| corpus | docs | MB | ${names.join(' | ')} |`, `|---|---:|---:|${names.map(() => '---:').join('|')}|`);
const examples: string[] = [];
for (const c of corpora) {
  let texts: string[];
  try {
    texts = c.docs().filter((t) => t.trim());
  } catch (e) {
    console.log(`skipped ${c.name}: ${(e as Error).message}`);
    continue;
  }
  const norm = normalizeOperator();
  const docs: Doc[] = texts.map((t, i) => ({ id: `${c.name}#${i}`, text: t, meta: {} })).filter((d) => norm.apply(d) === null);
  const ops = await makeOps();
  const cells: string[] = [];
  for (const op of ops) {
    const reasons = new Map<string, { n: number; ex: Doc }>();
    for (const d of docs) {
      const copy = { ...d, meta: { ...d.meta } };
      const r = await op.apply(copy);
      if (r === null) continue;
      const e = reasons.get(r) ?? { n: 0, ex: d };
      e.n++;
      reasons.set(r, e);
    }
    if (op.name === 'pii') {
      const ev = [...(op.events ?? new Map<string, number>())].map(([k, v]) => `${k} ${v}`).join(', ');
      cells.push(ev || '0');
      continue;
    }
    const total = [...reasons.values()].reduce((s, r) => s + r.n, 0);
    const top = [...reasons.entries()].sort((a, b) => b[1].n - a[1].n)[0];
    cells.push(`${((100 * total) / docs.length).toFixed(1)}%${top ? ` (${top[0]})` : ''}`);
    if (top)
      examples.push(
        `- **${c.name} / ${op.name} / ${top[0]}** (${top[1].n}): ${top[1].ex.text.slice(0, 160).replace(/\s+/g, ' ').replace(/\|/g, '\\|')}…`,
      );
  }
  const mb = docs.reduce((s, d) => s + Buffer.byteLength(d.text), 0) / 1e6;
  lines.push(`| ${c.name} | ${docs.length} | ${mb.toFixed(2)} | ${cells.join(' | ')} |`);
  console.log(lines[lines.length - 1]);
}
lines.push(
  '',
  '## Sources',
  '',
  ...corpora.map((c) => `- \`${c.name}\`: ${c.source}`),
  '',
  '## An example of the top reason of each filter',
  '',
  ...examples,
  '',
);
writeFileSync(values.out as string, lines.join('\n'));
console.log(`wrote ${values.out}`);
