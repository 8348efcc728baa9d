import { describe, expect, it } from 'vitest';
import { heldSuffixLength, TokenTextStreamer } from './TokenTextStreamer.js';

// A byte-level vocabulary (token id = byte): multi-byte characters span several tokens, as with
// SentencePiece byte fallback. Decoding is the real UTF-8 decoder, which yields U+FFFD for a cut character.
const bytesOf = (s: string) => [...Buffer.from(s, 'utf8')];
const decode = (t: readonly number[]) => Buffer.from(t).toString('utf8');

function run(text: string, stops: string[] = []) {
  const s = new TokenTextStreamer(decode, stops);
  const deltas: string[] = [];
  let stop: string | undefined;
  for (const b of bytesOf(text)) {
    const step = s.push(b);
    if (step.text) deltas.push(step.text);
    if (step.stop) {
      stop = step.stop;
      break;
    }
  }
  const tail = s.finish();
  if (tail.text) deltas.push(tail.text);
  return { deltas, text: deltas.join(''), stop };
}

describe('TokenTextStreamer', () => {
  it('never emits part of a UTF-8 character', () => {
    const r = run('浦语 says 你好 🌏!');
    expect(r.text).toBe('浦语 says 你好 🌏!');
    for (const d of r.deltas) expect(d).not.toContain('\uFFFD');
    // each multi-byte character arrives whole, in one delta
    expect(r.deltas).toContain('浦');
    expect(r.deltas).toContain('🌏');
  });

  it('holds back a possible stop string and drops it once matched', () => {
    const r = run('answer: 42\nEND of text', ['\nEND']);
    expect(r.text).toBe('answer: 42');
    expect(r.stop).toBe('\nEND');
    expect(r.deltas.join('')).not.toContain('\n');
  });

  it('releases held text when the stop string does not materialise', () => {
    const r = run('a\nENb', ['\nEND']);
    expect(r.text).toBe('a\nENb');
    expect(r.stop).toBeUndefined();
  });

  it('picks the earliest of several stop strings', () => {
    expect(run('xx STOP yy HALT', ['HALT', 'STOP']).text).toBe('xx ');
  });

  it('flushes a dangling partial character at the end', () => {
    const s = new TokenTextStreamer(decode);
    const b = bytesOf('é');
    expect(s.push(b[0]).text).toBe('');
    expect(s.finish().text).toBe('\uFFFD');
  });

  it('heldSuffixLength finds the longest suffix that starts a stop string', () => {
    expect(heldSuffixLength('abc<|im', ['<|im_end|>', 'zz'])).toBe(4);
    expect(heldSuffixLength('abc', ['<|im_end|>'])).toBe(0);
    expect(heldSuffixLength('abz', ['<|im_end|>', 'zz'])).toBe(1);
  });
});
