// Radix-2 complex FFT pieces shared by the log-mel front end and the noise suppressor. Both keep their
// own buffers and tables (built once); this module holds only the arithmetic, so the two cannot drift.

/** Index permutation that puts an input of size n (a power of two) in bit-reversed order. */
export function bitReversal(n: number): Uint16Array {
  const bits = Math.log2(n);
  const r = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let b = 0; b < bits; b++) v |= ((i >> b) & 1) << (bits - 1 - b);
    r[i] = v;
  }
  return r;
}

/** Twiddle factors cos/sin(2πi/n), i < n/2, of a size-n FFT. */
export function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let i = 0; i < n / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  return { cos, sin };
}

/**
 * Iterative decimation-in-time butterflies over re/im (length n, already in bit-reversed order), in
 * place. sign −1 is the forward transform, +1 the unscaled inverse.
 */
export function butterflies(re: Float64Array, im: Float64Array, cos: Float64Array, sin: Float64Array, sign: 1 | -1): void {
  const n = re.length;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let j = 0; j < half; j++) {
        const c = cos[j * step];
        const s = sign * sin[j * step];
        const a = start + j;
        const b = a + half;
        const tr = re[b] * c - im[b] * s;
        const ti = re[b] * s + im[b] * c;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}
