import { statSync } from 'node:fs';
import type { SentencePieceTokenizer } from '@puyu/formats';

const cache = new Map<string, { mtimeMs: number; tokenizer: SentencePieceTokenizer }>();

/**
 * The tokenizer of an HF folder (tokenizer.model + tokenizer_config.json's added tokens), a
 * `.model` file, or a GGUF (rebuilt from its `tokenizer.ggml.*` vocabulary, as `puyu model`
 * conversion does). Cached per path until the file changes.
 */
export async function tokenizerFor(path: string): Promise<SentencePieceTokenizer> {
  const mtimeMs = statSync(path).mtimeMs;
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.tokenizer;
  const formats = await import('@puyu/formats');
  let tokenizer: SentencePieceTokenizer;
  if (path.endsWith('.gguf')) {
    const file = await formats.GgufFile.open(path);
    try {
      const vocab = formats.ggufVocabToSentencePiece(file.metadata);
      tokenizer = formats.SentencePieceTokenizer.fromProto(vocab.model);
      tokenizer.addTokens(vocab.addedTokens.map((t) => ({ id: t.id, content: t.content, special: t.special ?? true })));
    } finally {
      await file.close();
    }
  } else tokenizer = formats.loadTokenizer(path);
  cache.set(path, { mtimeMs, tokenizer });
  return tokenizer;
}
