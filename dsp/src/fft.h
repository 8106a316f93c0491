/* fft.h — complex radix-2 FFT in split (re[], im[]) format and real-signal transforms built on it.
 *
 * Forward: decimation in frequency, natural order in → bit-reversed order out; inverse:
 * decimation in time, bit-reversed in → natural out. Convolution never needs the bit-reversed
 * spectrum in order, so no permutation pass runs on the complex data (Cooley–Tukey as in
 * Oppenheim & Schafer §9.3–9.4). The last two DIF stages (and the first two DIT stages) are fused
 * into one radix-4 pass; every other stage's inner loop is contiguous with per-stage twiddle
 * tables, so clang vectorises it with wasm SIMD (-msimd128).
 *
 * Real transforms of 2n samples use one n-point complex FFT of z[m] = x[2m] + i·x[2m+1] and the
 * split step X[k] = E[k] + W^k·O[k] (E, O the spectra of the even/odd samples; W = e^{-iπ/n}).
 * Spectra are n bins in bit-reversed order (position q holds bin rev(q)): convolution only
 * multiplies spectra bin by bin, so the order never matters and no permutation pass runs; the
 * split step pairs each bin with its conjugate partner through the mirror symmetry of
 * bit-reversed octave blocks. Position 0 packs DC in re and Nyquist in im.
 */
#ifndef KWR_FFT_H
#define KWR_FFT_H

#include <stddef.h>

typedef struct {
    int n;         /* complex points, power of two >= 4 */
    float *tw_re;  /* stage twiddles, stages half = n/2 … 4 concatenated (n - 4 entries) */
    float *tw_im;
    float *sp_re;  /* split twiddles W^rev(q) = e^{-iπ·rev(q)/n} by bit-reversed position q */
    float *sp_im;
    int *rev;      /* bit reversal of log2(n) bits */
} fft_plan;

/* Bytes fft_plan_init needs at `mem` for n points. */
size_t fft_plan_bytes(int n);
/* n must be a power of two >= 4; mem 16-byte aligned, fft_plan_bytes(n) long. */
void fft_plan_init(fft_plan *p, int n, void *mem);

void fft_forward_dif(const fft_plan *p, float *re, float *im);
/* Unscaled: applying it after fft_forward_dif multiplies by n. */
void fft_inverse_dit(const fft_plan *p, float *re, float *im);

/* x: 2n real samples → spec (n packed bins). zr/zi: n-float scratch each. */
void rfft_forward(const fft_plan *p, const float *x, float *spec_re, float *spec_im, float *zr,
                  float *zi);
/* spec (n packed bins) → x: 2n real samples, scaled by 2n (the inverse is unnormalised: callers
 * fold 1/(2n) into their filter spectra). zr/zi: n-float scratch each. */
void rfft_inverse(const fft_plan *p, const float *spec_re, const float *spec_im, float *x,
                  float *zr, float *zi);

/* The same transforms on the packed form z[m] = x[2m] + i·x[2m+1] held in zr/zi, for callers
 * that (de)interleave on the way in or out anyway: forward consumes zr/zi, inverse leaves the
 * result there. */
void rfft_forward_packed(const fft_plan *p, float *spec_re, float *spec_im, float *zr, float *zi);
void rfft_inverse_packed(const fft_plan *p, const float *spec_re, const float *spec_im, float *zr,
                         float *zi);

#endif
