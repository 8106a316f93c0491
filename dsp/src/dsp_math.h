/* dsp_math.h — freestanding maths for the engine: no libc, no imports.
 *
 * wasm32 has native sqrt/floor/abs/min/max instructions (clang builtins lower to them); the
 * transcendental functions are written here. exp/log use the classic range reduction
 * x = k·ln2 + r with a minimax-style polynomial on the reduced argument (Cody & Waite), which
 * keeps the relative error near 1e-7 — the waveshaper tests compare against numpy at 1e-6.
 * sin/cos for twiddle tables are computed in double precision (Taylor series after reduction
 * to [-π/4, π/4]) because FFT accuracy depends on them.
 */
#ifndef KWR_DSP_MATH_H
#define KWR_DSP_MATH_H

#include <stddef.h>
#include <stdint.h>

#define KWR_PI 3.14159265358979323846
#define KWR_INLINE static inline __attribute__((always_inline))

/* Built with -mbulk-memory these lower to memory.fill / memory.copy: no libc import. */
KWR_INLINE void kwr_memset(void *dst, int v, size_t n) { __builtin_memset(dst, v, n); }
KWR_INLINE void kwr_memcpy(void *dst, const void *src, size_t n) { __builtin_memcpy(dst, src, n); }

KWR_INLINE float kwr_absf(float x) { return __builtin_fabsf(x); }
KWR_INLINE float kwr_sqrtf(float x) { return __builtin_sqrtf(x); }
KWR_INLINE double kwr_sqrt(double x) { return __builtin_sqrt(x); }
KWR_INLINE double kwr_floor(double x) { return __builtin_floor(x); }
KWR_INLINE float kwr_minf(float a, float b) { return a < b ? a : b; }
KWR_INLINE float kwr_maxf(float a, float b) { return a > b ? a : b; }

/* True for every float except NaN and ±inf. */
KWR_INLINE int kwr_isfinite(float x) { return (x - x) == 0.0f; }

/* Clamp a user value into [lo, hi]; NaN becomes `fallback`, ±inf clamps to the nearer end. */
KWR_INLINE float kwr_clamp_param(float x, float lo, float hi, float fallback) {
    if (x != x) return fallback;
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Audio-rate clamp: NaN → 0, then [-lim, lim]. */
KWR_INLINE float kwr_sanitize(float x, float lim) {
    if (x != x) return 0.0f;
    return x < -lim ? -lim : (x > lim ? lim : x);
}

/* Denormal flush for filter states: wasm has no FTZ mode, so tiny states are zeroed by hand. */
KWR_INLINE float kwr_flush(float x) { return kwr_absf(x) < 1e-25f ? 0.0f : x; }

/* 2^k for integer k in the normal float range, built from the exponent bits. */
KWR_INLINE float kwr_pow2i(int k) {
    union { uint32_t u; float f; } v;
    v.u = (uint32_t)(k + 127) << 23;
    return v.f;
}

/* e^x, relative error ~2e-7 over the float range; saturates to 0 / +inf-safe large value. */
KWR_INLINE float kwr_expf(float x) {
    if (x < -87.0f) return 0.0f;
    if (x > 88.0f) x = 88.0f;
    float kf = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
    /* r = x - k·ln2 in two parts for accuracy */
    float r = x - kf * 0.693145751953125f;
    r = r - kf * 1.428606765330187045e-06f;
    /* Taylor/minimax polynomial for e^r on |r| <= ln2/2 */
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666671633720398f + r * (0.0416664853692054749f +
              r * (0.00833336077630519867f + r * (0.00139383471105247736f + r * 0.000198527617612853646f))))));
    return p * kwr_pow2i((int)kf);
}

/* Natural log for x > 0 (x <= 0 returns a very negative number rather than NaN). */
KWR_INLINE float kwr_logf(float x) {
    if (!(x > 1e-37f)) return -87.0f;
    union { float f; uint32_t u; } v = {x};
    int e = (int)((v.u >> 23) & 0xff) - 127;
    v.u = (v.u & 0x007fffffu) | 0x3f800000u; /* mantissa in [1, 2) */
    float m = v.f;
    if (m > 1.41421356f) { m *= 0.5f; e += 1; }
    /* log(m) = 2·atanh(s), s = (m-1)/(m+1), |s| <= 0.1716 */
    float s = (m - 1.0f) / (m + 1.0f);
    float s2 = s * s;
    float t = s * (2.0f + s2 * (0.666666666666f + s2 * (0.4f + s2 * (0.285714285714f + s2 * (0.222222222f + s2 * 0.181818182f)))));
    return t + (float)e * 0.693147180559945309f;
}

KWR_INLINE float kwr_db_to_gain(float db) { return kwr_expf(db * 0.115129254649702284f); }
KWR_INLINE float kwr_gain_to_db(float g) { return 8.68588963806503655f * kwr_logf(g); }

/* tanh via e^(2|x|): tanh(x) = sign(x)·(1 − 2/(e^(2|x|) + 1)); tanh(0) is exactly 0 and it
 * saturates cleanly. kwr_tanh4 below is the same arithmetic four lanes at a time. */
KWR_INLINE float kwr_tanhf(float x) {
    float y = 1.0f - 2.0f / (kwr_expf(2.0f * kwr_absf(x)) + 1.0f);
    return x < 0.0f ? -y : y;
}

/* Four-lane vectors (clang/gcc vector extensions: wasm SIMD here, SSE/NEON natively). */
typedef float kwr_f4 __attribute__((vector_size(16), aligned(16)));
typedef float kwr_f4u __attribute__((vector_size(16), aligned(4)));
typedef int kwr_i4 __attribute__((vector_size(16), aligned(16)));

KWR_INLINE kwr_f4 kwr_splat4(float v) { return (kwr_f4){v, v, v, v}; }

/* kwr_expf on four lanes, operation for operation. */
KWR_INLINE kwr_f4 kwr_exp4(kwr_f4 x) {
    kwr_i4 under = x < -87.0f;
    /* min(x, 88) as a lane select: __builtin_elementwise_min has C fminf semantics, which
     * wasm's f32x4.min lacks, so clang made it four calls to a scalar fminf. Lanes that are not
     * <= 88 (NaN included) take 88, exactly what fminf gives. */
    kwr_i4 keep = x <= 88.0f;
    x = (kwr_f4)(((kwr_i4)x & keep) | ((kwr_i4)kwr_splat4(88.0f) & ~keep));
    kwr_f4 kf = __builtin_elementwise_floor(x * 1.44269504088896341f + 0.5f);
    kwr_f4 r = x - kf * 0.693145751953125f;
    r = r - kf * 1.428606765330187045e-06f;
    kwr_f4 p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666671633720398f + r * (0.0416664853692054749f +
               r * (0.00833336077630519867f + r * (0.00139383471105247736f + r * 0.000198527617612853646f))))));
    kwr_i4 bits = (__builtin_convertvector(kf, kwr_i4) + 127) << 23;
    kwr_f4 y = p * (kwr_f4)bits;
    return (kwr_f4)((kwr_i4)y & ~under);
}

KWR_INLINE kwr_f4 kwr_tanh4(kwr_f4 x) {
    kwr_f4 ax = __builtin_elementwise_abs(x);
    kwr_f4 y = 1.0f - 2.0f / (kwr_exp4(2.0f * ax) + 1.0f);
    kwr_i4 sign = (kwr_i4)x & (kwr_i4)kwr_splat4(-0.0f);
    return (kwr_f4)((kwr_i4)y | sign);
}

/* log2 / exp2 on four lanes for gain computers, which run per sample and need 0.01 dB, not
 * 1e-7: exponent bits plus cubic fits on the mantissa, exact at both ends of the octave so the
 * curves are continuous and exp2(0) is exactly 1 (an OTT at amount 0 has unity gain); max error
 * 8.8e-4 in log2 (0.005 dB), 1.5e-4 relative in exp2 (0.0013 dB); no division. log2 takes
 * x > 0 (+inf included); exp2 saturates to 0 below −126 and at 2^126 above. */
KWR_INLINE kwr_f4 kwr_fast_log2_4(kwr_f4 x) {
    kwr_i4 u = (kwr_i4)x; /* x > 0: the sign bit is clear, so u >> 23 is the biased exponent */
    kwr_f4 e = __builtin_convertvector((u >> 23) - 127, kwr_f4);
    kwr_f4 t = (kwr_f4)((u & 0x007fffff) | 0x3f800000) - 1.0f;
    return e + t * (1.4228653f + t * (-0.58208542f + t * 0.15922010f));
}
/* For −126 <= x <= 126, where 2^floor(x) is a normal float: callers whose argument is bounded
 * by construction skip kwr_fast_exp2_4's clamps. */
KWR_INLINE kwr_f4 kwr_fast_exp2_4_in_range(kwr_f4 x) {
    kwr_f4 k = __builtin_elementwise_floor(x);
    kwr_f4 f = x - k;
    kwr_f4 p = 1.0f + f * (0.69589012f + f * (0.22486495f + f * 0.079244926f));
    kwr_i4 bits = (__builtin_convertvector(k, kwr_i4) + 127) << 23;
    return p * (kwr_f4)bits;
}
KWR_INLINE kwr_f4 kwr_fast_exp2_4(kwr_f4 x) {
    kwr_i4 under = x < -126.0f;
    kwr_i4 keep = x <= 126.0f; /* min(x, 126) as a lane select, see kwr_exp4 */
    x = (kwr_f4)(((kwr_i4)x & keep) | ((kwr_i4)kwr_splat4(126.0f) & ~keep));
    return (kwr_f4)((kwr_i4)kwr_fast_exp2_4_in_range(x) & ~under);
}

/* sin and cos in double precision after reduction to [-π/4, π/4]. */
static inline double kwr_sin_poly(double x) {
    double x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880 +
           x2 * (-1.0 / 39916800 + x2 * (1.0 / 6227020800.0)))))));
}
static inline double kwr_cos_poly(double x) {
    double x2 = x * x;
    return 1.0 + x2 * (-0.5 + x2 * (1.0 / 24 + x2 * (-1.0 / 720 + x2 * (1.0 / 40320 +
           x2 * (-1.0 / 3628800 + x2 * (1.0 / 479001600.0 + x2 * (-1.0 / 87178291200.0)))))));
}
static inline void kwr_sincos(double x, double *s, double *c) {
    double q = kwr_floor(x * (2.0 / KWR_PI) + 0.5);
    double r = x - q * (KWR_PI / 2);
    int quadrant = ((int)((long long)q & 3));
    double sr = kwr_sin_poly(r), cr = kwr_cos_poly(r);
    switch (quadrant) {
        case 0: *s = sr; *c = cr; break;
        case 1: *s = cr; *c = -sr; break;
        case 2: *s = -sr; *c = -cr; break;
        default: *s = -cr; *c = sr; break;
    }
}
static inline double kwr_sin(double x) { double s, c; kwr_sincos(x, &s, &c); return s; }
static inline double kwr_cos(double x) { double s, c; kwr_sincos(x, &s, &c); return c; }
static inline double kwr_tan(double x) { double s, c; kwr_sincos(x, &s, &c); return s / c; }

static inline double kwr_exp(double x) {
    if (x < -700.0) return 0.0;
    double kf = kwr_floor(x * 1.4426950408889634 + 0.5);
    double r = x - kf * 0.6931471805599453;
    double term = 1.0, sum = 1.0;
    for (int i = 1; i < 14; i++) { term *= r / i; sum += term; }
    union { uint64_t u; double d; } v;
    v.u = (uint64_t)((long long)kf + 1023) << 52;
    return sum * v.d;
}
static inline double kwr_pow2(double x) { return kwr_exp(x * 0.6931471805599453); }

#endif
