import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dedupJsonl } from './dedupJsonl.js';
import { nearDuplicateCorpus } from './nearDupFixture.js';

describe('dedupJsonl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-dedup-'));
  const docs = nearDuplicateCorpus({ families: 20, words: 80, rates: [0, 0.01], seed: 3 });

  it('writes kept lines byte for byte, keeps the first of each cluster, and counts malformed lines', async () => {
    const lines = docs.map((d, i) =>
      i % 2 ? JSON.stringify({ id: d.id, text: d.text, extra: [1, 2] }) : `{"text":${JSON.stringify(d.text)},  "id":"${d.id}"}`,
    );
    const junk = ['{"id": broken', '[1,2]', '{"id":"x"}', '\u0000\u0001\u0002\u0003binary\u0000\u0000'];
    const body = Buffer.concat([
      Buffer.from(`${lines.slice(0, 5).join('\n')}\n${junk.join('\n')}\n`),
      Buffer.from([0xff, 0xfe, 0x7b, 0x0a]), // invalid UTF-8
      Buffer.from(`${lines.slice(5).join('\r\n')}\r\n`),
    ]);
    const input = join(dir, 'in.jsonl.gz');
    writeFileSync(input, gzipSync(body));
    const output = join(dir, 'out.jsonl');
    const s = await dedupJsonl(input, output, { silent: true, removedPath: join(dir, 'removed.jsonl') });
    expect(s.read).toBe(docs.length);
    const out = readFileSync(output, 'utf8').split('\n').filter(Boolean);
    // Kept lines are the input lines unchanged (CRLF lines keep their \r), bases only.
    for (const l of out) expect(lines.map((x, i) => (i >= 5 ? `${x}\r` : x))).toContain(l);
    expect(out.filter((l) => /base/.test(l))).toHaveLength(20);
    // Exact copies (edit rate 0) always go; a few 1%-edited 80-word texts may fall under the threshold.
    expect(out.some((l) => /-r0"/.test(l))).toBe(false);
    expect(s.kept).toBe(out.length);
    expect(s.kept).toBeLessThanOrEqual(25);
    expect(s.malformed.counts).toMatchObject({ bad_json: 1, not_an_object: 1, no_text: 1, binary: 1, bad_encoding: 1 });
    const removed = readFileSync(join(dir, 'removed.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(removed[0].duplicate_of).toMatch(/base/);
  });

  it('refuses to overwrite without force and reports an empty file', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    await expect(dedupJsonl(empty, join(dir, 'out.jsonl'), { silent: true })).rejects.toMatchObject({ code: 'DATA_OUTPUT_EXISTS' });
    const s = await dedupJsonl(empty, join(dir, 'out2.jsonl'), { silent: true });
    expect(s.malformed.counts.empty_file).toBe(1);
  });
});
