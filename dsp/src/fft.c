/* fft.c — see fft.h. */
#include "fft.h"
#include "dsp_math.h"

static int log2_int(int n) {
    int l = 0;
    while ((1 << l) < n) l++;
    return l;
}

size_t fft_plan_bytes(int n) { return (size_t)(n - 4 + 1) * 2 * sizeof(float) + (size_t)n * 2 * sizeof(float) + (size_t)n * sizeof(int) + 64; }

void fft_plan_init(fft_plan *p, int n, void *mem) {
    float *f = (float *)mem;
    int stage_len = n - 4 > 0 ? n - 4 : 1;
    p->n = n;
    p->tw_re = f; f += stage_len;
    p->tw_im = f; f += stage_len;
    p->sp_re = f; f += n;
    p->sp_im = f; f += n;
    p->rev = (int *)f;
    /* stage with half-size h uses w_j = e^{-2πij/(2h)}, stored at offset n - 2h */
    for (int half = n >> 1; half >= 4; half >>= 1) {
        int off = n - 2 * half;
        for (int j = 0; j < half; j++) {
            double s, c;
            kwr_sincos(-KWR_PI * (double)j / (double)half, &s, &c);
            p->tw_re[off + j] = (float)c;
            p->tw_im[off + j] = (float)s;
        }
    }
    int bits = log2_int(n);
    for (int k = 0; k < n; k++) {
        int r = 0;
        for (int b = 0; b < bits; b++) r |= ((k >> b) & 1) << (bits - 1 - b);
        p->rev[k] = r;
    }
    /* split twiddle for the bin held at bit-reversed position q: W^{rev(q)} */
    for (int q = 0; q < n; q++) {
        double s, c;
        kwr_sincos(-KWR_PI * (double)p->rev[q] / (double)n, &s, &c);
        p->sp_re[q] = (float)c;
        p->sp_im[q] = (float)s;
    }
}

static void dif_stage(float *__restrict ar, float *__restrict ai, float *__restrict br,
                      float *__restrict bi, const float *__restrict wr,
                      const float *__restrict wi, int half) {
    for (int j = 0; j < half; j++) {
        float xr = ar[j], xi = ai[j], yr = br[j], yi = bi[j];
        ar[j] = xr + yr;
        ai[j] = xi + yi;
        float dr = xr - yr, di = xi - yi;
        br[j] = dr * wr[j] - di * wi[j];
        bi[j] = dr * wi[j] + di * wr[j];
    }
}

static void dit_stage(float *__restrict ar, float *__restrict ai, float *__restrict br,
                      float *__restrict bi, const float *__restrict wr,
                      const float *__restrict wi, int half) {
    for (int j = 0; j < half; j++) {
        /* t = b · conj(w) */
        float tr = br[j] * wr[j] + bi[j] * wi[j];
        float ti = bi[j] * wr[j] - br[j] * wi[j];
        float xr = ar[j], xi = ai[j];
        ar[j] = xr + tr;
        ai[j] = xi + ti;
        br[j] = xr - tr;
        bi[j] = xi - ti;
    }
}

/* Two consecutive radix-2 stages in one pass over a 4q-point block (x_m at j + m·q, j < q), the
 * data staying in registers between them: a radix-2² pass (He & Torkelson, "A new approach to
 * pipeline FFT processor", 1996). The butterflies and their float operations are exactly those
 * of two dif_stage/dit_stage passes, so the result is bit-identical with half the memory passes. */
static inline void cmul4(kwr_f4 dr, kwr_f4 di, kwr_f4 wr, kwr_f4 wi, kwr_f4 *outr, kwr_f4 *outi) {
    *outr = dr * wr - di * wi;
    *outi = dr * wi + di * wr;
}

/* t = b · conj(w), the DIT twiddle */
static inline void cmulc4(kwr_f4 br, kwr_f4 bi, kwr_f4 wr, kwr_f4 wi, kwr_f4 *outr, kwr_f4 *outi) {
    *outr = br * wr + bi * wi;
    *outi = bi * wr - br * wi;
}

#define LD(p) (*(const kwr_f4u *)(p))
#define ST(p, v) (*(kwr_f4u *)(p) = (v))

/* DIF stages of half 2q (twiddles w_j, w_{j+q}) then half q (twiddle v_j). */
static void dif_pair(const fft_plan *p, float *re, float *im, int q) {
    const int n = p->n;
    const float *w1r = p->tw_re + (n - 4 * q), *w1i = p->tw_im + (n - 4 * q);
    const float *w2r = p->tw_re + (n - 2 * q), *w2i = p->tw_im + (n - 2 * q);
    float *r0 = re, *r1 = re + q, *r2 = re + 2 * q, *r3 = re + 3 * q;
    float *i0 = im, *i1 = im + q, *i2 = im + 2 * q, *i3 = im + 3 * q;
    for (int j = 0; j < q; j += 4) {
        kwr_f4 x0r = LD(r0 + j), x1r = LD(r1 + j), x2r = LD(r2 + j), x3r = LD(r3 + j);
        kwr_f4 x0i = LD(i0 + j), x1i = LD(i1 + j), x2i = LD(i2 + j), x3i = LD(i3 + j);
        kwr_f4 a0r = x0r + x2r, a0i = x0i + x2i, a1r = x1r + x3r, a1i = x1i + x3i;
        kwr_f4 b2r, b2i, b3r, b3i;
        cmul4(x0r - x2r, x0i - x2i, LD(w1r + j), LD(w1i + j), &b2r, &b2i);
        cmul4(x1r - x3r, x1i - x3i, LD(w1r + j + q), LD(w1i + j + q), &b3r, &b3i);
        kwr_f4 vr = LD(w2r + j), vi = LD(w2i + j), yr, yi;
        ST(r0 + j, a0r + a1r);
        ST(i0 + j, a0i + a1i);
        cmul4(a0r - a1r, a0i - a1i, vr, vi, &yr, &yi);
        ST(r1 + j, yr);
        ST(i1 + j, yi);
        ST(r2 + j, b2r + b3r);
        ST(i2 + j, b2i + b3i);
        cmul4(b2r - b3r, b2i - b3i, vr, vi, &yr, &yi);
        ST(r3 + j, yr);
        ST(i3 + j, yi);
    }
}

/* DIT stages of half q (twiddle v_j) then half 2q (twiddles w_j, w_{j+q}). */
static void dit_pair(const fft_plan *p, float *re, float *im, int q) {
    const int n = p->n;
    const float *w1r = p->tw_re + (n - 2 * q), *w1i = p->tw_im + (n - 2 * q);
    const float *w2r = p->tw_re + (n - 4 * q), *w2i = p->tw_im + (n - 4 * q);
    float *r0 = re, *r1 = re + q, *r2 = re + 2 * q, *r3 = re + 3 * q;
    float *i0 = im, *i1 = im + q, *i2 = im + 2 * q, *i3 = im + 3 * q;
    for (int j = 0; j < q; j += 4) {
        kwr_f4 x0r = LD(r0 + j), x1r = LD(r1 + j), x2r = LD(r2 + j), x3r = LD(r3 + j);
        kwr_f4 x0i = LD(i0 + j), x1i = LD(i1 + j), x2i = LD(i2 + j), x3i = LD(i3 + j);
        kwr_f4 vr = LD(w1r + j), vi = LD(w1i + j), tr, ti;
        cmulc4(x1r, x1i, vr, vi, &tr, &ti);
        kwr_f4 y0r = x0r + tr, y0i = x0i + ti, y1r = x0r - tr, y1i = x0i - ti;
        cmulc4(x3r, x3i, vr, vi, &tr, &ti);
        kwr_f4 y2r = x2r + tr, y2i = x2i + ti, y3r = x2r - tr, y3i = x2i - ti;
        cmulc4(y2r, y2i, LD(w2r + j), LD(w2i + j), &tr, &ti);
        ST(r0 + j, y0r + tr);
        ST(i0 + j, y0i + ti);
        ST(r2 + j, y0r - tr);
        ST(i2 + j, y0i - ti);
        cmulc4(y3r, y3i, LD(w2r + j + q), LD(w2i + j + q), &tr, &ti);
        ST(r1 + j, y1r + tr);
        ST(i1 + j, y1i + ti);
        ST(r3 + j, y1r - tr);
        ST(i3 + j, y1i - ti);
    }
}

#undef LD
#undef ST

/* The radix-4 end pass works on four butterflies per vector: 16 consecutive points (four
 * butterflies of four) are transposed so that vector m holds point m of each butterfly, and
 * transposed back after; every lane does the scalar butterfly's operations. */
static inline void transpose4(const float *x, kwr_f4 *c0, kwr_f4 *c1, kwr_f4 *c2, kwr_f4 *c3) {
    kwr_f4 r0 = *(const kwr_f4u *)x, r1 = *(const kwr_f4u *)(x + 4);
    kwr_f4 r2 = *(const kwr_f4u *)(x + 8), r3 = *(const kwr_f4u *)(x + 12);
    kwr_f4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    kwr_f4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    *c0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *c1 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *c2 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *c3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

static inline void untranspose4(float *x, kwr_f4 c0, kwr_f4 c1, kwr_f4 c2, kwr_f4 c3) {
    kwr_f4 t0 = __builtin_shufflevector(c0, c1, 0, 4, 1, 5), t1 = __builtin_shufflevector(c0, c1, 2, 6, 3, 7);
    kwr_f4 t2 = __builtin_shufflevector(c2, c3, 0, 4, 1, 5), t3 = __builtin_shufflevector(c2, c3, 2, 6, 3, 7);
    *(kwr_f4u *)x = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *(kwr_f4u *)(x + 4) = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *(kwr_f4u *)(x + 8) = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *(kwr_f4u *)(x + 12) = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

void fft_forward_dif(const fft_plan *p, float *re, float *im) {
    int n = p->n;
    int half = n >> 1;
    for (; half >= 8; half >>= 2) {
        for (int base = 0; base < n; base += 2 * half) dif_pair(p, re + base, im + base, half >> 1);
    }
    if (half == 4) {
        const float *wr = p->tw_re + (n - 8), *wi = p->tw_im + (n - 8);
        for (int base = 0; base < n; base += 8) dif_stage(re + base, im + base, re + base + 4, im + base + 4, wr, wi, 4);
    }
    int b = 0;
    for (; b + 16 <= n; b += 16) {
        kwr_f4 x0r, x1r, x2r, x3r, x0i, x1i, x2i, x3i;
        transpose4(re + b, &x0r, &x1r, &x2r, &x3r);
        transpose4(im + b, &x0i, &x1i, &x2i, &x3i);
        kwr_f4 a0r = x0r + x2r, a0i = x0i + x2i;
        kwr_f4 a2r = x0r - x2r, a2i = x0i - x2i;
        kwr_f4 a1r = x1r + x3r, a1i = x1i + x3i;
        kwr_f4 a3r = x1i - x3i, a3i = x3r - x1r;
        untranspose4(re + b, a0r + a1r, a0r - a1r, a2r + a3r, a2r - a3r);
        untranspose4(im + b, a0i + a1i, a0i - a1i, a2i + a3i, a2i - a3i);
    }
    for (; b < n; b += 4) {
        float x0r = re[b], x1r = re[b + 1], x2r = re[b + 2], x3r = re[b + 3];
        float x0i = im[b], x1i = im[b + 1], x2i = im[b + 2], x3i = im[b + 3];
        float a0r = x0r + x2r, a0i = x0i + x2i;
        float a2r = x0r - x2r, a2i = x0i - x2i;
        float a1r = x1r + x3r, a1i = x1i + x3i;
        /* (x1 - x3)·(−i) */
        float a3r = x1i - x3i, a3i = x3r - x1r;
        re[b] = a0r + a1r; im[b] = a0i + a1i;
        re[b + 1] = a0r - a1r; im[b + 1] = a0i - a1i;
        re[b + 2] = a2r + a3r; im[b + 2] = a2i + a3i;
        re[b + 3] = a2r - a3r; im[b + 3] = a2i - a3i;
    }
}

void fft_inverse_dit(const fft_plan *p, float *re, float *im) {
    int n = p->n;
    int b = 0;
    for (; b + 16 <= n; b += 16) {
        kwr_f4 y0r, y1r, y2r, y3r, y0i, y1i, y2i, y3i;
        transpose4(re + b, &y0r, &y1r, &y2r, &y3r);
        transpose4(im + b, &y0i, &y1i, &y2i, &y3i);
        kwr_f4 a0r = y0r + y1r, a0i = y0i + y1i;
        kwr_f4 a1r = y0r - y1r, a1i = y0i - y1i;
        kwr_f4 a2r = y2r + y3r, a2i = y2i + y3i;
        kwr_f4 a3r = y2r - y3r, a3i = y2i - y3i;
        untranspose4(re + b, a0r + a2r, a1r - a3i, a0r - a2r, a1r + a3i);
        untranspose4(im + b, a0i + a2i, a1i + a3r, a0i - a2i, a1i - a3r);
    }
    for (; b < n; b += 4) {
        float y0r = re[b], y1r = re[b + 1], y2r = re[b + 2], y3r = re[b + 3];
        float y0i = im[b], y1i = im[b + 1], y2i = im[b + 2], y3i = im[b + 3];
        float a0r = y0r + y1r, a0i = y0i + y1i;
        float a1r = y0r - y1r, a1i = y0i - y1i;
        float a2r = y2r + y3r, a2i = y2i + y3i;
        float a3r = y2r - y3r, a3i = y2i - y3i;
        /* a3·(+i) = (−a3i, a3r) */
        re[b] = a0r + a2r; im[b] = a0i + a2i;
        re[b + 2] = a0r - a2r; im[b + 2] = a0i - a2i;
        re[b + 1] = a1r - a3i; im[b + 1] = a1i + a3r;
        re[b + 3] = a1r + a3i; im[b + 3] = a1i - a3r;
    }
    int half = 4;
    for (; 2 * half < n; half <<= 2) {
        for (int base = 0; base < n; base += 4 * half) dit_pair(p, re + base, im + base, half);
    }
    if (half < n) {
        const float *wr = p->tw_re + (n - 2 * half), *wi = p->tw_im + (n - 2 * half);
        dit_stage(re, im, re + half, im + half, wr, wi, half);
    }
}

/* Split step, forward: position q of the bit-reversed spectrum holds bin k = rev(q); its
 * conjugate partner n − k sits at the mirrored position of q's octave block [b, 2b)
 * (3b − 1 − q), so both reads are contiguous (one of them reversed) and the loop vectorises. */
static void split_forward(const float *__restrict zr, const float *__restrict zi,
                          const float *__restrict wr, const float *__restrict wi,
                          float *__restrict xr, float *__restrict xi, int base) {
    for (int j = 0; j < base; j++) {
        int q = base + j, m = 2 * base - 1 - j;
        float pr = zr[q], pi = zi[q];
        float cr = zr[m], ci = -zi[m];
        float er = 0.5f * (pr + cr), ei = 0.5f * (pi + ci);
        float or_ = 0.5f * (pi - ci), oi = -0.5f * (pr - cr);
        xr[q] = er + (or_ * wr[q] - oi * wi[q]);
        xi[q] = ei + (or_ * wi[q] + oi * wr[q]);
    }
}

static void split_inverse(const float *__restrict xr, const float *__restrict xi,
                          const float *__restrict wr, const float *__restrict wi,
                          float *__restrict zr, float *__restrict zi, int base) {
    for (int j = 0; j < base; j++) {
        int q = base + j, m = 2 * base - 1 - j;
        float ar = xr[q], ai = xi[q];
        float br = xr[m], bi = -xi[m];
        float er = ar + br, ei = ai + bi;
        float dr = ar - br, di = ai - bi;
        /* O = (X[k] − conj X[n−k])·W^{−k}; Z = E + i·O */
        float or_ = dr * wr[q] + di * wi[q], oi = di * wr[q] - dr * wi[q];
        zr[q] = er - oi;
        zi[q] = ei + or_;
    }
}

void rfft_forward(const fft_plan *p, const float *x, float *spec_re, float *spec_im, float *zr,
                  float *zi) {
    int n = p->n;
    for (int m = 0; m < n; m++) {
        zr[m] = x[2 * m];
        zi[m] = x[2 * m + 1];
    }
    rfft_forward_packed(p, spec_re, spec_im, zr, zi);
}

void rfft_forward_packed(const fft_plan *p, float *spec_re, float *spec_im, float *zr, float *zi) {
    int n = p->n;
    fft_forward_dif(p, zr, zi);
    spec_re[0] = zr[0] + zi[0];
    spec_im[0] = zr[0] - zi[0];
    for (int base = 1; base < n; base <<= 1) split_forward(zr, zi, p->sp_re, p->sp_im, spec_re, spec_im, base);
}

void rfft_inverse_packed(const fft_plan *p, const float *spec_re, const float *spec_im, float *zr,
                         float *zi) {
    int n = p->n;
    zr[0] = spec_re[0] + spec_im[0];
    zi[0] = spec_re[0] - spec_im[0];
    for (int base = 1; base < n; base <<= 1) split_inverse(spec_re, spec_im, p->sp_re, p->sp_im, zr, zi, base);
    fft_inverse_dit(p, zr, zi);
}

void rfft_inverse(const fft_plan *p, const float *spec_re, const float *spec_im, float *x,
                  float *zr, float *zi) {
    int n = p->n;
    rfft_inverse_packed(p, spec_re, spec_im, zr, zi);
    for (int m = 0; m < n; m++) {
        x[2 * m] = zr[m];
        x[2 * m + 1] = zi[m];
    }
}
