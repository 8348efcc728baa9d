import { describe, expect, it } from 'vitest';
import { pickNode, updateLatency } from './strategies.js';

const nodes = () => [
  { url: 'a', weight: 1, outstanding: 3, latencyMs: 120 },
  { url: 'b', weight: 3, outstanding: 3, latencyMs: 40 },
  { url: 'c', weight: 1, outstanding: 1, latencyMs: 80 },
];

describe('routing strategies', () => {
  it('random draws in proportion to weight', () => {
    let s = 1;
    const rand = () => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647;
    };
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20000; i++) counts[pickNode(nodes(), 'random', rand)!.url]++;
    expect(counts.b / 20000).toBeCloseTo(0.6, 1);
    expect(counts.a / 20000).toBeCloseTo(0.2, 1);
  });
  it('least-outstanding uses in-flight requests per weight', () => {
    expect(pickNode(nodes(), 'least-outstanding')!.url).toBe('b'); // b 3/3 = c 1/1 < a 3/1: the tie goes to the earlier node
    const idle = nodes();
    idle[2].outstanding = 0;
    expect(pickNode(idle, 'least-outstanding')!.url).toBe('c');
    const n = nodes();
    n[2].outstanding = 5;
    expect(pickNode(n, 'least-outstanding')!.url).toBe('b');
  });
  it('min-latency tries unmeasured nodes first, then the fastest', () => {
    expect(pickNode(nodes(), 'min-latency')!.url).toBe('b');
    const n = nodes();
    n[0].latencyMs = undefined as unknown as number;
    expect(pickNode(n, 'min-latency')!.url).toBe('a');
    expect(pickNode([], 'min-latency')).toBeUndefined();
  });
  it('smooths latency', () => {
    expect(updateLatency(undefined, 100)).toBe(100);
    expect(updateLatency(100, 200)).toBeCloseTo(130, 9);
  });
});
