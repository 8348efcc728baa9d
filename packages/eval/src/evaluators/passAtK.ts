/**
 * The unbiased pass@k estimator of Chen et al. (2021), as in the HumanEval harness:
 * pass@k = 1 - C(n - c, k) / C(n, k) for n samples of which c pass, computed as a running
 * product so large n does not overflow.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || n < 0 || c < 0 || c > n || k < 1) {
    throw new RangeError(`passAtK needs integers 0 <= c <= n and k >= 1, got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}
