import { describe, expect, it } from 'vitest';
import { sleep, WaiterQueue } from './WaiterQueue.js';

describe('WaiterQueue', () => {
  it('grants in arrival order and reports when nobody waits', async () => {
    const q = new WaiterQueue<number>();
    expect(q.grant(0)).toBe(false);
    const a = q.wait();
    const b = q.wait();
    expect(q.length).toBe(2);
    expect(q.grant(1)).toBe(true);
    expect(q.grant(2)).toBe(true);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(q.length).toBe(0);
  });

  it('an aborted waiter leaves at once and never takes a later grant', async () => {
    const q = new WaiterQueue<string>();
    const ac = new AbortController();
    const gone = q.wait(ac.signal);
    const stays = q.wait();
    ac.abort(new Error('client left'));
    await expect(gone).rejects.toThrow('client left');
    expect(q.length).toBe(1);
    q.grant('slot');
    expect(await stays).toBe('slot');
  });

  it('rejects at once on an already-aborted signal, with an AbortError when the reason is not an Error', async () => {
    const q = new WaiterQueue();
    const ac = new AbortController();
    ac.abort('plain reason');
    await expect(q.wait(ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(q.length).toBe(0);
  });

  it('removes its abort listener once granted, so one long-lived signal can wait many times', async () => {
    const q = new WaiterQueue();
    const ac = new AbortController();
    let listeners = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof add>) => {
      listeners++;
      add(...a);
    }) as typeof add;
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => {
      listeners--;
      remove(...a);
    }) as typeof remove;
    for (let i = 0; i < 5; i++) {
      const w = q.wait(ac.signal);
      q.grant();
      await w;
    }
    expect(listeners).toBe(0);
  });

  it('rejectAll empties the queue with one error', async () => {
    const q = new WaiterQueue();
    const all = [q.wait(), q.wait()];
    q.rejectAll(new Error('shutting down'));
    for (const w of all) await expect(w).rejects.toThrow('shutting down');
    expect(q.length).toBe(0);
  });
});

describe('WaiterQueue with info', () => {
  it('shows the oldest waiter, removes one by its info, and rejects aborts with the configured error', async () => {
    const q = new WaiterQueue<string, { id: number }>({ abortError: () => new Error('counted abort') });
    const a = { id: 1 };
    const b = { id: 2 };
    const c = { id: 3 };
    const ac = new AbortController();
    const pa = q.wait(undefined, a);
    const pb = q.wait(undefined, b);
    const pc = q.wait(ac.signal, c);
    expect(q.oldest).toBe(a);
    expect(q.remove(a, new Error('released'))).toBe(true);
    expect(q.remove(a, new Error('again'))).toBe(false);
    await expect(pa).rejects.toThrow('released');
    expect(q.oldest).toBe(b);
    ac.abort();
    await expect(pc).rejects.toThrow('counted abort');
    q.grant('slot');
    expect(await pb).toBe('slot');
    expect(q.oldest).toBeUndefined();
  });
});

describe('sleep', () => {
  it('resolves after the delay and rejects early on abort', async () => {
    await sleep(1);
    const ac = new AbortController();
    const s = sleep(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(s).rejects.toThrow('stop');
  });
});
