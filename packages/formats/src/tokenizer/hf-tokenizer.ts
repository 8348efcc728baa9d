import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TokenizerError } from '@puyu/core';
import { type AddedToken, SentencePieceTokenizer } from './sentencepiece-tokenizer.js';

export interface HfTokenizerConfig {
  addBosToken: boolean;
  addEosToken: boolean;
  addedTokens: AddedToken[];
}

/** Reads the parts of HF's tokenizer_config.json that change encoding. */
export function readHfTokenizerConfig(path: string): HfTokenizerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TokenizerError(
      'TOKENIZER_CONFIG_INVALID',
      `Cannot read ${path} as JSON (${(e as Error).message}): fix or remove tokenizer_config.json.`,
      { cause: e },
    );
  }
  if (typeof raw !== 'object' || raw === null) {
    throw new TokenizerError('TOKENIZER_CONFIG_INVALID', `${path} is not a JSON object.`);
  }
  const cfg = raw as Record<string, unknown>;
  const addedTokens: AddedToken[] = [];
  const decoder = cfg.added_tokens_decoder;
  if (decoder !== undefined) {
    if (typeof decoder !== 'object' || decoder === null) {
      throw new TokenizerError('TOKENIZER_CONFIG_INVALID', `${path}: added_tokens_decoder must be an object of id → token.`);
    }
    for (const [key, value] of Object.entries(decoder)) {
      const id = Number(key);
      const content = (value as { content?: unknown } | null)?.content;
      if (!Number.isInteger(id) || typeof content !== 'string') {
        throw new TokenizerError(
          'TOKENIZER_CONFIG_INVALID',
          `${path}: added_tokens_decoder entry "${key}" needs an integer id and a string "content".`,
        );
      }
      addedTokens.push({ id, content, special: (value as { special?: unknown }).special === true });
    }
  }
  return { addBosToken: cfg.add_bos_token === true, addEosToken: cfg.add_eos_token === true, addedTokens };
}

export interface HfTokenizer {
  tokenizer: SentencePieceTokenizer;
  config: HfTokenizerConfig;
}

/**
 * Loads an HF tokenizer folder: tokenizer.model plus (optional)
 * tokenizer_config.json whose added tokens become parse-able specials.
 */
export function loadHfTokenizer(dir: string): HfTokenizer {
  const modelPath = join(dir, 'tokenizer.model');
  if (!existsSync(modelPath)) {
    throw new TokenizerError(
      'TOKENIZER_MODEL_NOT_FOUND',
      `No tokenizer.model in ${dir}: point to an HF model folder with a SentencePiece tokenizer, or to the .model file itself.`,
    );
  }
  const tokenizer = SentencePieceTokenizer.load(modelPath);
  const cfgPath = join(dir, 'tokenizer_config.json');
  const config: HfTokenizerConfig = existsSync(cfgPath)
    ? readHfTokenizerConfig(cfgPath)
    : { addBosToken: false, addEosToken: false, addedTokens: [] };
  tokenizer.addTokens(config.addedTokens);
  return { tokenizer, config };
}

/** Loads either a `.model` file or an HF folder. */
export function loadTokenizer(path: string): SentencePieceTokenizer {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Missing paths fall through to `load`, which reports them with a clear code.
  }
  return isDir ? loadHfTokenizer(path).tokenizer : SentencePieceTokenizer.load(path);
}
