// Order statistics without a full sort, for per-frame medians and percentiles on the hot path.

/**
 * The k-th smallest value of `a` (0-based), reordering `a` in place (Hoare's selection, expected linear
 * time). For values without NaN it is exactly `a.sort()[k]` (the same value, not an approximation).
 */
export function selectKth(a: Float64Array | Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
