import { Prng } from '@puyu/model';

/**
 * The order of `items` in epoch `epoch`: a Fisher–Yates shuffle from a PRNG seeded by
 * (seed, epoch), or the given order when `shuffle` is false. Seeding per epoch means a
 * resumed run rebuilds any epoch's order without replaying earlier ones; pretraining's
 * PackedBatcher and SFT's SftBatcher share it so both resume the same way.
 */
export function epochOrder(items: ArrayLike<number>, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = Int32Array.from(items);
  if (!shuffle) return order;
  const rng = new Prng((seed * 1_000_003 + epoch) >>> 0);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
