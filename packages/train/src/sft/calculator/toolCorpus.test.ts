import { loadTokenizer } from '@puyu/formats';
import { defaultTokenizerPath } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { parsePretrainConfig } from '../../pretrain/pretrainConfig.js';
import { generateCalculatorData } from './generate.js';
import { drillAlphabet, generateToolCorpus, wordDrillAlphabet } from './toolCorpus.js';

const tokenizer = loadTokenizer(defaultTokenizerPath() as string);
const pieces = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.idToPiece(id));

/** The longest text that occurs twice without overlapping, by a direct scan (documents are short). */
function longestRepeat(text: string): number {
  for (let len = Math.floor(text.length / 2); len > 0; len--)
    for (let i = 0; i + 2 * len <= text.length; i++) if (text.indexOf(text.slice(i, i + len), i + len) >= 0) return len;
  return 0;
}

describe('generateToolCorpus', () => {
  it('is the same for a seed and different for another', () => {
    const a = generateToolCorpus({ kind: 'calculator_corpus', docs: 300, seed: 3, pieces });
    expect(generateToolCorpus({ kind: 'calculator_corpus', docs: 300, seed: 3, pieces })).toEqual(a);
    expect(generateToolCorpus({ kind: 'calculator_corpus', docs: 300, seed: 4, pieces })).not.toEqual(a);
    expect(a).toHaveLength(300);
  });

  it('copy drills repeat a sequence of the tokenizer’s own pieces after a gap', () => {
    const docs = generateToolCorpus({ kind: 'copy_drills', docs: 200, seed: 1, pieces });
    const { symbols } = drillAlphabet(pieces);
    for (const d of docs) {
      // Every drill holds a repeat of at least two characters (the shortest drill copies 2 digits).
      expect(longestRepeat(d)).toBeGreaterThanOrEqual(2);
      expect(d).not.toMatch(/<\|im_start\|>|<0x/);
    }
    // Most drills copy sequences of 6–20 pieces: long repeats dominate.
    expect(docs.filter((d) => longestRepeat(d) >= 8).length / docs.length).toBeGreaterThan(0.6);
    expect(symbols.every((s) => !/^<.*>$/.test(s) && s.trim() !== '')).toBe(true);
  });

  it('word drills repeat sequences of common words, Chinese characters and numbers, whatever the tokenizer', () => {
    const docs = generateToolCorpus({ kind: 'word_drills', docs: 300, seed: 1, pieces: [] });
    expect(generateToolCorpus({ kind: 'word_drills', docs: 300, seed: 1, pieces: [] })).toEqual(docs);
    const { symbols, words } = wordDrillAlphabet();
    expect(words).toContain('water');
    expect(symbols).toContain(' water');
    expect(symbols).toContain('的');
    for (const d of docs) expect(longestRepeat(d)).toBeGreaterThanOrEqual(2);
    // two thirds copy a sequence of 6–20 symbols; the rest an expression or a digit string
    const long = docs.filter((d) => longestRepeat(d) >= 8).length / docs.length;
    expect(long).toBeGreaterThan(0.6);
    expect(docs.some((d) => /[\u4e00-\u9fff]/.test(d))).toBe(true);
  });

  it('the calculator corpus renders whole tool dialogues and never a held-out question', () => {
    const docs = generateToolCorpus({ kind: 'calculator_corpus', docs: 1000, seed: 0, pieces });
    const dialogues = docs.filter((d) => d.startsWith('<|im_start|>'));
    expect(dialogues.length).toBe(120);
    for (const d of dialogues) {
      expect(d).toContain('<|action_start|><|plugin|>\n{"name": "calculator", "parameters": {"expression": ');
      expect(d).toContain('<|im_start|>environment name=<|plugin|>\n{"result": ');
    }
    // First questions carry their numbers; follow-ups are short templates ("And if you add 10 to it?")
    // that training dialogues share by design.
    const heldout = generateCalculatorData({ train: 1, seed: 0 })
      .heldout.flatMap((h) => h.turns)
      .filter((t) => t.kind !== 'followup')
      .map((t) => t.question);
    expect(heldout.length).toBe(200);
    for (const q of heldout) expect(docs.some((d) => d.includes(q))).toBe(false);
  });

  it('a pretraining config may generate its corpus instead of naming files, but must do one', () => {
    const base = {
      tokenizer: 't.model',
      model: { hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 128, max_position_embeddings: 64 },
      train: { seq_len: 32, batch_size: 1, steps: 1, lr: 1e-3 },
      output: { dir: 'out' },
    };
    const cfg = parsePretrainConfig({ ...base, data: { generate: { kind: 'copy_drills', docs: 10 } } });
    expect(cfg.data.train).toEqual([]);
    expect(cfg.data.generate).toEqual({ kind: 'copy_drills', docs: 10, seed: 0 });
    expect(() => parsePretrainConfig({ ...base, data: {} })).toThrow(/data\.train.*set data\.generate/s);
  });
});
