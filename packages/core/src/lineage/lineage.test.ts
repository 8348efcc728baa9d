import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPuyuError } from '../errors.js';
import {
  descendants,
  formatLineage,
  hashArtefact,
  lineageGraph,
  lineageProblems,
  readLineage,
  renderModelCard,
  traceLineage,
  writeLineage,
  writeModelCard,
} from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-lineage-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** raw.txt → corpus/ → tok.model → model/hf/ → model/model.gguf → eval/ */
async function chain() {
  await writeFile(join(dir, 'raw.txt'), 'hello world\n');
  await mkdir(join(dir, 'corpus', 'shard-00000'), { recursive: true });
  await writeFile(join(dir, 'corpus', 'shard-00000', 'kept.jsonl'), '{"text":"hello world"}\n');
  await writeLineage(join(dir, 'corpus'), {
    kind: 'corpus',
    command: 'puyu data run p.yaml',
    parents: [join(dir, 'raw.txt')],
    metrics: { kept: 1 },
  });
  await writeFile(join(dir, 'tok.model'), 'tok');
  await writeLineage(join(dir, 'tok.model'), { kind: 'tokenizer', command: 'puyu tokenizer train', parents: [join(dir, 'corpus')] });
  await mkdir(join(dir, 'model', 'hf'), { recursive: true });
  await writeFile(join(dir, 'model', 'hf', 'model.safetensors'), 'weights');
  await writeFile(join(dir, 'model', 'hf', 'README.md'), 'a card, left out of the hash');
  await writeLineage(join(dir, 'model', 'hf'), {
    kind: 'hf-model',
    command: 'puyu train pretrain pre.json',
    config: { model: { hidden_size: 128 } },
    parents: [join(dir, 'corpus'), join(dir, 'tok.model')],
    metrics: { final_loss: 1.5 },
  });
  await writeFile(join(dir, 'model', 'model.gguf'), 'gguf');
  await writeLineage(join(dir, 'model', 'model.gguf'), {
    kind: 'gguf',
    command: 'puyu model convert',
    parents: [join(dir, 'model', 'hf')],
  });
  await mkdir(join(dir, 'eval'));
  await writeFile(join(dir, 'eval', 'summary.json'), '{}');
  await writeLineage(join(dir, 'eval'), {
    kind: 'eval',
    command: 'puyu eval calculator',
    parents: [join(dir, 'model', 'model.gguf')],
    metrics: { correct_call: 0.9 },
  });
}

describe('lineage manifests', () => {
  it('hashes a file as sha256 of its bytes, and a folder as its sorted path/hash lines without manifests or README', async () => {
    await chain();
    expect((await hashArtefact(join(dir, 'raw.txt'))).hash).toBe(sha('hello world\n'));
    expect((await hashArtefact(join(dir, 'model', 'hf'))).hash).toBe(sha(`model.safetensors\0${sha('weights')}\n`));
    const m = await readLineage(join(dir, 'model', 'model.gguf'));
    expect(m?.parents).toEqual([{ path: 'hf', hash: sha(`model.safetensors\0${sha('weights')}\n`) }]);
    expect(await readLineage(join(dir, 'raw.txt'))).toBeUndefined();
  });

  it('traces an artefact back to its raw inputs, printing a shared parent once', async () => {
    await chain();
    const root = await traceLineage(join(dir, 'eval'));
    const text = formatLineage(root, dir);
    expect(text.split('\n')[0]).toMatch(/^eval {2}\[eval [0-9a-f]{12}\] {2}← puyu eval calculator$/);
    expect(text).toContain('raw.txt  [raw');
    expect(text).toContain('(raw input)');
    expect(text).toContain('see above'); // the corpus feeds the model and the tokenizer
    expect(lineageProblems(root)).toEqual([]);
  });

  it('flags an input changed after something was made from it, and an artefact changed after its manifest', async () => {
    await chain();
    await writeFile(join(dir, 'raw.txt'), 'hello there\n');
    await writeFile(join(dir, 'model', 'model.gguf'), 'other');
    const root = await traceLineage(join(dir, 'eval'));
    const problems = lineageProblems(root);
    expect(problems).toContain(`${join(dir, 'raw.txt')} changed after an artefact made from it`);
    expect(problems).toContain(`${join(dir, 'model', 'model.gguf')} changed after its manifest was written`);
    expect(formatLineage(root, dir)).toContain('CHANGED');
  });

  it('reports a missing parent and refuses a corrupt manifest with a code', async () => {
    await chain();
    await rm(join(dir, 'raw.txt'));
    expect(lineageProblems(await traceLineage(join(dir, 'corpus')))).toEqual([`${join(dir, 'raw.txt')} is missing`]);
    await writeFile(join(dir, 'tok.model.lineage.json'), '{"schema": "other"}');
    const err = await traceLineage(join(dir, 'tok.model')).catch((e: unknown) => e);
    expect(isPuyuError(err) && err.code).toBe('FILE_LINEAGE_CORRUPT');
  });

  it('builds a runs folder graph and a model card with the evaluations made from the model', async () => {
    await chain();
    const g = await lineageGraph(dir);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['corpus', 'eval', 'model/hf', 'model/model.gguf', 'raw.txt', 'tok.model']);
    expect(g.nodes.find((n) => n.id === 'raw.txt')?.recorded).toBe(false);
    expect([...descendants(g, 'model/hf')].sort()).toEqual(['eval', 'model/model.gguf']);
    const card = renderModelCard({ chain: await traceLineage(join(dir, 'model', 'hf')), graph: g, graphRoot: dir });
    expect(card).toContain('| hidden_size | 128 |');
    expect(card).toContain('| eval | correct_call 0.9000 | `puyu eval calculator` |');
    expect(card).toContain('final_loss 1.5000');
    expect(card).toContain('raw input');
    // an exported folder's config.json gives the card its architecture
    await writeFile(
      join(dir, 'model', 'hf', 'config.json'),
      JSON.stringify({ architectures: ['InternLM2ForCausalLM'], hidden_size: 64, vocab_size: 2048 }),
    );
    const path = await writeModelCard(join(dir, 'model', 'hf'), dir);
    const written = await readFile(path, 'utf8');
    expect(written).toContain('| architectures | InternLM2ForCausalLM |');
    expect(written).toContain('| hidden_size | 64 |');
    expect(written).toContain('| vocab_size | 2048 |');
    expect(written).toContain('| eval | correct_call 0.9000 | `puyu eval calculator` |');
    // the card is left out of the folder's hash (config.json, written after its manifest, is not)
    await rm(join(dir, 'model', 'hf', 'config.json'));
    await writeModelCard(join(dir, 'model', 'hf'), dir);
    expect(lineageProblems(await traceLineage(join(dir, 'eval')))).toEqual([]);
  });
});
