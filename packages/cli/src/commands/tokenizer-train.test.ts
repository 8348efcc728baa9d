import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModelProto, PieceType, SentencePieceTokenizer, trainBpe } from '@puyu/formats';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerTokenizerTrain, runTokenizerTrain } from './tokenizer-train.js';

const dir = mkdtempSync(join(tmpdir(), 'puyu-tok-train-'));
const text = ['the cat sat on the mat', 'the dog sat on the log 2024', '猫坐在垫子上', '<|im_start|>user hi<|im_end|>'];

describe('puyu tokenizer train', () => {
  it('trains from text + JSONL files and writes a loadable model equal to trainBpe on the same lines', async () => {
    const txt = join(dir, 'a.txt');
    const jsonl = join(dir, 'b.jsonl');
    writeFileSync(txt, `${text.slice(0, 2).join('\r\n')}\r\n`);
    writeFileSync(jsonl, `${JSON.stringify({ body: text.slice(2).join('\n') })}\n\n`);
    const out = join(dir, 'out.model');
    const summary = await runTokenizerTrain({
      input: [txt, jsonl],
      jsonlField: 'body',
      vocabSize: 320,
      output: out,
      modelType: 'bpe',
      byteFallback: true,
      userDefinedSymbols: '<|im_start|>,<|im_end|>',
      splitDigits: true,
      characterCoverage: 1,
      dummyPrefix: true,
      quiet: true,
    });
    expect(summary).toMatch(/wrote .*out\.model: 320 pieces \(261 special/);
    const proto = decodeModelProto(readFileSync(out));
    const ref = await trainBpe(text, {
      vocabSize: 320,
      byteFallback: true,
      userDefinedSymbols: ['<|im_start|>', '<|im_end|>'],
      splitDigits: true,
      characterCoverage: 1,
    });
    expect(proto.pieces).toEqual(ref.model.pieces);
    expect(proto.pieces[3]).toMatchObject({ piece: '<|im_start|>', type: PieceType.USER_DEFINED });
    const tok = SentencePieceTokenizer.load(out);
    expect(tok.decode(tok.encode('the cat 猫 2024 🙂'))).toBe('the cat 猫 2024 🙂');
  });

  it('rejects unsupported model types and missing files with clear codes', async () => {
    const base = { vocabSize: 100, output: join(dir, 'x.model'), quiet: true };
    await expect(runTokenizerTrain({ ...base, input: [join(dir, 'a.txt')], modelType: 'unigram' })).rejects.toMatchObject({
      code: 'CLI_BAD_OPTION',
    });
    await expect(runTokenizerTrain({ ...base, input: [join(dir, 'missing.txt')], modelType: 'bpe' })).rejects.toMatchObject({
      code: 'CORPUS_NOT_FOUND',
    });
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "ok"}\n{oops\n');
    await expect(runTokenizerTrain({ ...base, input: [bad], modelType: 'bpe' })).rejects.toMatchObject({ code: 'CORPUS_BAD_JSONL' });
  });
});

describe('puyu tokenizer train (argument parsing)', () => {
  it('maps the flags onto the trainer and prints a summary', async () => {
    const txt = join(dir, 'argv.txt');
    writeFileSync(txt, `${text.join('\n')}\n`);
    const out = join(dir, 'argv.model');
    const program = new Command().exitOverride();
    registerTokenizerTrain(program.command('tokenizer'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program.parseAsync(
        [
          'tokenizer',
          'train',
          '--input',
          txt,
          '--vocab-size',
          '300',
          '--output',
          out,
          '--byte-fallback',
          '--split-digits',
          '--user-defined-symbols',
          '<|im_start|>,<|im_end|>',
          '--character-coverage',
          '1',
          '--no-dummy-prefix',
          '--keep-extra-whitespace',
          '--max-lines',
          '3',
          '--quiet',
        ],
        { from: 'user' },
      );
      expect(String(log.mock.calls[0]?.[0])).toMatch(/300 pieces .* from 3 lines/);
    } finally {
      log.mockRestore();
    }
    const proto = decodeModelProto(readFileSync(out));
    expect(proto.trainerSpec).toMatchObject({ vocabSize: 300, byteFallback: true, splitDigits: true, inputSentenceSize: 3 });
    expect(proto.normalizerSpec).toMatchObject({ addDummyPrefix: false, removeExtraWhitespaces: false });
    await expect(
      program.parseAsync(['tokenizer', 'train', '--input', txt, '--vocab-size', 'x', '--output', out], { from: 'user' }),
    ).rejects.toMatchObject({ code: 'CLI_BAD_OPTION' });
  });
});
