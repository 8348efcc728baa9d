import { describe, expect, it } from 'vitest';
import type { CheckpointData } from './Checkpoints.js';
import { parseTrainerState, restoreTensors } from './trainerState.js';

const f32 = (...x: number[]) => new Float32Array(x);

function checkpoint(): CheckpointData {
  return {
    step: 4,
    params: new Map([
      ['a', { shape: [2], data: f32(1, 2) }],
      ['b', { shape: [1, 2], data: f32(3, 4) }],
    ]),
    m: new Map([
      ['a', f32(0.1, 0.2)],
      ['b', f32(0.3, 0.4)],
    ]),
    v: new Map([
      ['a', f32(0.01, 0.02)],
      ['b', f32(0.03, 0.04)],
    ]),
    extra: { adamT: 4, batcher: { epoch: 0, cursor: 512 }, tokensSeen: 512 },
  };
}
const model = () =>
  new Map([
    ['a', { shape: [2], data: f32(0, 0) }],
    ['b', { shape: [1, 2], data: f32(0, 0) }],
  ]);

describe('trainer state read from a checkpoint', () => {
  it('parses the state the trainer wrote', () => {
    expect(parseTrainerState(checkpoint().extra, 'ck')).toEqual({ adamT: 4, batcher: { epoch: 0, cursor: 512 }, tokensSeen: 512 });
  });

  it('refuses malformed state by field (CHECKPOINT_CORRUPT), where a cast let it through', () => {
    for (const [extra, field] of [
      [{ adamT: 4, batcher: { epoch: 0, cursor: 'x' }, tokensSeen: 1 }, 'batcher.cursor'],
      [{ adamT: 4, tokensSeen: 1 }, 'batcher'],
      [{ adamT: -1, batcher: { epoch: 0, cursor: 0 }, tokensSeen: 1 }, 'adamT'],
      [{ adamT: 4, batcher: { epoch: 0, cursor: 0 } }, 'tokensSeen'],
    ] as const)
      expect(() => parseTrainerState(extra, 'ck')).toThrow(
        expect.objectContaining({ code: 'CHECKPOINT_CORRUPT', message: expect.stringContaining(`${field}:`) }),
      );
  });

  it('restores weights and moments when the tensor sets match', () => {
    const w = model();
    const { m } = restoreTensors(checkpoint(), w, 'ck');
    expect(Array.from(w.get('b')!.data)).toEqual([3, 4]);
    expect(Array.from(m.get('a')!)).toEqual(Array.from(f32(0.1, 0.2)));
  });

  it('refuses a checkpoint that lacks a tensor of the model, naming it, and changes nothing', () => {
    const ck = checkpoint();
    ck.params.delete('b');
    const w = model();
    expect(() => restoreTensors(ck, w, 'ck')).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT_MISMATCH', message: expect.stringMatching(/lacks 1 tensor\(s\) of this model: b\b/) }),
    );
    expect(Array.from(w.get('a')!.data)).toEqual([0, 0]);
  });

  it('refuses extra tensors, other shapes and missing moments, naming each', () => {
    const ck = checkpoint();
    ck.params.set('c', { shape: [1], data: f32(9) });
    ck.params.set('b', { shape: [2, 1], data: f32(3, 4) });
    ck.v.delete('a');
    let message = '';
    try {
      restoreTensors(ck, model(), 'ck');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('it has 1 tensor(s) this model does not: c');
    expect(message).toContain('b is [1, 2] here but [2, 1] in the checkpoint');
    expect(message).toContain('v.a is missing');
  });
});
