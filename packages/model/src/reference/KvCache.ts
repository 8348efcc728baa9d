import { ModelError } from '@puyu/core';

/**
 * Keys (after RoPE) and values of every layer for the positions seen so far,
 * laid out per layer as [position][kvHead][headDim] so appending a token is one copy.
 * Capacity doubles as it grows; `length` is the number of cached positions.
 */
export class KvCache {
  private keys: Float32Array[];
  private values: Float32Array[];
  private capacity: number;
  private len = 0;
  readonly rowSize: number;

  constructor(
    readonly nLayers: number,
    nKvHeads: number,
    headDim: number,
    initialCapacity = 64,
  ) {
    this.rowSize = nKvHeads * headDim;
    this.capacity = Math.max(1, initialCapacity);
    this.keys = Array.from({ length: nLayers }, () => new Float32Array(this.capacity * this.rowSize));
    this.values = Array.from({ length: nLayers }, () => new Float32Array(this.capacity * this.rowSize));
  }

  get length(): number {
    return this.len;
  }

  /** Makes room for `n` more positions. */
  reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.capacity) return;
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    const grow = (a: Float32Array) => {
      const b = new Float32Array(cap * this.rowSize);
      b.set(a.subarray(0, this.len * this.rowSize));
      return b;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
    this.capacity = cap;
  }

  /** Writes row `t` (position length + t) of layer `layer`; call `commit` once all layers are written. */
  write(layer: number, t: number, k: Float32Array, kOff: number, v: Float32Array, vOff: number): void {
    const o = (this.len + t) * this.rowSize;
    this.keys[layer].set(k.subarray(kOff, kOff + this.rowSize), o);
    this.values[layer].set(v.subarray(vOff, vOff + this.rowSize), o);
  }

  layerKeys(layer: number): Float32Array {
    return this.keys[layer];
  }

  layerValues(layer: number): Float32Array {
    return this.values[layer];
  }

  /** Advances the cached length after a forward over `n` new positions. */
  commit(n: number): void {
    if (this.len + n > this.capacity) throw new ModelError('MODEL_CACHE_OVERFLOW', 'KV cache commit past its reserved capacity.');
    this.len += n;
  }

  /** Drops positions from `n` on (e.g. to re-decode after a rejected draft). */
  truncate(n: number): void {
    if (n < 0 || n > this.len) throw new ModelError('MODEL_CACHE_RANGE', `cannot truncate a cache of ${this.len} to ${n}.`);
    this.len = n;
  }
}
