import { describe, expect, it } from 'vitest';
import { ServeError } from '../ServeError.js';
import { Admission } from './Admission.js';
import { commonPrefixLength } from './commonPrefixLength.js';

// Slots are plain token caches here: the state machine is the same as with llama.cpp sequences.
interface FakeSlot {
  name: string;
  cache: number[];
}
const aborted = new Error('aborted');

function setup(maxQueue: number, caches: number[][] = [[], []]) {
  const slots: FakeSlot[] = caches.map((cache, i) => ({ name: `s${i}`, cache }));
  let rejected = 0;
  const adm = new Admission(slots, {
    maxQueue,
    score: (s, prompt) => ({ prefix: commonPrefixLength(s.cache, prompt), cached: s.cache.length }),
    abortError: () => aborted,
    onRejected: () => rejected++,
  });
  return { adm, slots, rejected: () => rejected };
}
const live = () => new AbortController().signal;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ServeError ? `${e.status} ${e.code}` : String(e);
  }
  return 'admitted';
};

describe('Admission', () => {
  it('grants free sequences at once, queues the rest, refuses with 429 past the queue, all or none', async () => {
    const { adm, rejected } = setup(1);
    const [a, b] = adm.admit([[1], [2]], live());
    expect([a.state, b.state]).toEqual(['granted', 'granted']);
    const [c] = adm.admit([[3]], live());
    expect(c.state).toBe('queued');
    // A request needing two more generations does not fit the one place left: refused whole, nothing queued.
    expect(codeOf(() => adm.admit([[4]], live()))).toBe('429 SERVE_OVERLOADED');
    expect(adm.queued).toBe(1);
    expect(rejected()).toBe(1);
    const freed = a.slot;
    a.release();
    expect(c.state).toBe('granted');
    expect(await c.granted).toBe(freed);
    expect(adm.busy).toBe(2);
  });

  it('a request that could never fit is a client error (400), not a retryable 429', () => {
    const { adm } = setup(1);
    expect(codeOf(() => adm.admit([[1], [2], [3], [4]], live()))).toBe('400 SERVE_TOO_MANY_CHOICES');
    expect(adm.busy).toBe(0);
  });

  it('FIFO: the oldest queued ticket gets the freed sequence, choosing the free one whose cache matches best', async () => {
    const { adm, slots } = setup(4, [
      [9, 9, 9],
      [5, 6, 7],
    ]);
    const [x, y] = adm.admit([[0], [0]], live());
    const [first] = adm.admit([[5, 6, 1]], live());
    const [second] = adm.admit([[9, 9, 1]], live());
    // Equal prefixes (none) and equal cache lengths: slot order.
    expect([x.slot?.name, y.slot?.name]).toEqual(['s0', 's1']);
    expect(slots[1].cache).toEqual([5, 6, 7]);
    x.release(); // frees s0: the oldest ticket takes it even though its prompt matches s1
    expect(first.state).toBe('granted');
    expect((await first.granted).name).toBe('s0');
    expect(second.state).toBe('queued');
    y.release();
    expect((await second.granted).name).toBe('s1');
  });

  it('an abort while queued refuses the ticket with the abort error and frees its place', async () => {
    const { adm } = setup(1, [[]]);
    adm.admit([[1]], live());
    const ctrl = new AbortController();
    const [t] = adm.admit([[2]], ctrl.signal);
    ctrl.abort();
    await expect(t.granted).rejects.toBe(aborted);
    expect(t.state).toBe('refused');
    expect(adm.queued).toBe(0);
    t.release(); // no-op once refused
    expect(adm.busy).toBe(1);
  });

  it('drain refuses queued and new requests with its error; granted ones keep their sequence; idle() waits for them', async () => {
    const { adm } = setup(2, [[]]);
    const [running] = adm.admit([[1]], live());
    const [waiting] = adm.admit([[2]], live());
    const stop = new ServeError('SERVE_SHUTTING_DOWN', 'x', { status: 503 });
    adm.drain(stop);
    await expect(waiting.granted).rejects.toBe(stop);
    expect(codeOf(() => adm.admit([[3]], live()))).toBe('503 SERVE_SHUTTING_DOWN');
    expect(running.state).toBe('granted');
    let idle = false;
    const done = adm.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    running.release();
    running.release(); // idempotent
    await done;
    expect(adm.busy).toBe(0);
  });

  it('releasing a queued ticket (a choice that never ran) leaves the queue without an unhandled rejection', () => {
    const { adm } = setup(1, [[]]);
    adm.admit([[1]], live());
    const [t] = adm.admit([[2]], live());
    t.release();
    expect(t.state).toBe('released');
    expect(adm.queued).toBe(0);
  });
});
