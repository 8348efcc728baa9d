import { describe, expect, it } from 'vitest';
import { StepBarrier } from './StepBarrier.js';

const turn = () => new Promise<void>((r) => setImmediate(r));
/** Whether `p` has settled after the current event-loop turn. */
async function settled(p: Promise<void> | undefined): Promise<boolean> {
  if (!p) return true;
  let done = false;
  void p.then(() => {
    done = true;
  });
  await turn();
  await turn();
  return done;
}

describe('StepBarrier', () => {
  it('a request alone never waits', () => {
    const b = new StepBarrier();
    const m = b.join();
    expect(b.arrive(m)).toBeUndefined();
    expect(b.arrive(m)).toBeUndefined();
    b.leave(m);
    expect(b.stats.rounds).toBe(0);
  });

  it('releases a round only when every request of the previous round holds its token', async () => {
    const b = new StepBarrier();
    const [x, y, z] = [b.join(), b.join(), b.join()];
    // First tokens after the prompts: all three line up in one round.
    const px = b.arrive(x);
    const py = b.arrive(y);
    const pz = b.arrive(z);
    await Promise.all([px, py, pz]);
    expect(b.stats).toEqual({ rounds: 1, released: 3 });
    // Next step: x and y are back, z is still being decoded → they wait for it.
    const qx = b.arrive(x);
    const qy = b.arrive(y);
    expect(await settled(qx)).toBe(false);
    const qz = b.arrive(z);
    await Promise.all([qx, qy, qz]);
    expect(b.stats).toEqual({ rounds: 2, released: 6 });
  });

  it('releases each round in ascending sequence id, whatever order the tokens arrived in', async () => {
    // llama.cpp splits a batch for a non-unified KV cache wherever the sequence ids stop rising by
    // one, so the order the released requests queue their tokens in is the batch's order.
    const b = new StepBarrier();
    const ids = [3, 0, 5, 1, 4, 2];
    const members = ids.map((id) => ({ id, m: b.join(id) }));
    const resumed: number[] = [];
    await Promise.all(members.map(({ id, m }) => b.arrive(m)!.then(() => resumed.push(id))));
    expect(resumed).toEqual([0, 1, 2, 3, 4, 5]);
    // The next round again, arriving in yet another order.
    resumed.length = 0;
    await Promise.all([...members].reverse().map(({ id, m }) => b.arrive(m)!.then(() => resumed.push(id))));
    expect(resumed).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('does not wait for a request still evaluating its prompt; it joins after its first token', async () => {
    const b = new StepBarrier();
    const [x, y] = [b.join(), b.join()];
    await Promise.all([b.arrive(x), b.arrive(y)]);
    const late = b.join(); // prompt in flight: x and y must not wait for it
    await Promise.all([b.arrive(x), b.arrive(y)]);
    expect(b.stats.released).toBe(4);
    // Its first token arrives while x and y decode: it waits for them, then all three go together.
    const pl = b.arrive(late);
    expect(await settled(pl)).toBe(false);
    await Promise.all([pl, b.arrive(x), b.arrive(y)]);
    expect(b.stats).toEqual({ rounds: 3, released: 7 });
  });

  it('a request that leaves is no longer waited for', async () => {
    const b = new StepBarrier();
    const [x, y] = [b.join(), b.join()];
    await Promise.all([b.arrive(x), b.arrive(y)]);
    const px = b.arrive(x);
    expect(await settled(px)).toBe(false);
    b.leave(y); // y finished (or was cancelled) during its decode
    expect(await settled(px)).toBe(true);
    b.leave(x);
    expect(b.stats).toEqual({ rounds: 2, released: 3 });
  });
});
