import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { TokenizerError } from '@puyu/core/errors';
import type { SentencePieceTokenizer } from '@puyu/formats/tokenizer';
import type { Command } from 'commander';
import { registerTokenizerTrain } from './tokenizer-train.js';

interface EncodeFlags {
  model: string;
  bos?: boolean;
  eos?: boolean;
  special?: boolean;
}

interface DecodeFlags {
  model: string;
  special?: boolean;
}

/** Writes with backpressure: large inputs stream through in bounded memory. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((res) => out.once('drain', () => res()));
}

/** One JSON array of ids per input line. */
export async function runTokenizerEncode(tok: SentencePieceTokenizer, flags: EncodeFlags, input: Readable, out: Writable): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let buf = '';
  for await (const line of rl) {
    const ids = tok.encode(line, { addBos: flags.bos, addEos: flags.eos, parseSpecial: flags.special });
    buf += `${JSON.stringify(ids)}\n`;
    if (buf.length > 1 << 16) {
      await write(out, buf);
      buf = '';
    }
  }
  if (buf) await write(out, buf);
}

/** One text line per input line holding a JSON array of ids (blank lines are skipped). */
export async function runTokenizerDecode(tok: SentencePieceTokenizer, flags: DecodeFlags, input: Readable, out: Writable): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let buf = '';
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let ids: unknown;
    try {
      ids = JSON.parse(line);
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x))) {
      rl.close();
      throw new TokenizerError(
        'TOKENIZER_BAD_INPUT',
        `stdin line ${lineNo} is not a JSON array of integer ids (got ${JSON.stringify(line.slice(0, 60))}). Feed the output of \`puyu tokenizer encode\`.`,
      );
    }
    try {
      buf += `${tok.decode(ids as number[], { skipSpecial: !flags.special })}\n`;
    } catch (e) {
      rl.close();
      if (e instanceof TokenizerError) throw new TokenizerError(e.code, `stdin line ${lineNo}: ${e.message}`, { cause: e });
      throw e;
    }
    if (buf.length > 1 << 16) {
      await write(out, buf);
      buf = '';
    }
  }
  if (buf) await write(out, buf);
}

const MODEL_HELP = 'SentencePiece .model file, or an HF folder with tokenizer.model (+ tokenizer_config.json)';

/** `puyu tokenizer encode|decode|train`. */
export function registerTokenizerCommands(program: Command): void {
  const tok = program.command('tokenizer').description('SentencePiece tokenizers: train, encode, decode');
  tok
    .command('encode')
    .description('Read text lines on stdin, write one JSON array of token ids per line')
    .requiredOption('--model <path>', MODEL_HELP)
    .option('--bos', 'prepend the BOS id')
    .option('--eos', 'append the EOS id')
    .option('--special', 'recognize added tokens such as <|im_start|> in the text (HF folders)')
    .action(async (flags: EncodeFlags) => {
      const { loadTokenizer } = await import('@puyu/formats/tokenizer');
      await runTokenizerEncode(loadTokenizer(flags.model), flags, process.stdin, process.stdout);
    });
  tok
    .command('decode')
    .description('Read JSON arrays of token ids on stdin, write one text line per array')
    .requiredOption('--model <path>', MODEL_HELP)
    .option('--special', 'render added tokens such as <|im_start|> (otherwise they are dropped)')
    .action(async (flags: DecodeFlags) => {
      const { loadTokenizer } = await import('@puyu/formats/tokenizer');
      await runTokenizerDecode(loadTokenizer(flags.model), flags, process.stdin, process.stdout);
    });
  registerTokenizerTrain(tok);
}
