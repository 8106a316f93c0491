/* svf.h — topology-preserving-transform state-variable filter (Zavalishin, "The Art of VA
 * Filter Design", ch. 4; Simper's "linear trapezoidal SVF" form). One tick yields LP, BP and HP of
 * a 2nd-order section with g = tan(π·fc/fs) and damping k = 1/Q; the bilinear transform with
 * prewarping puts the analog −3 dB point exactly at fc for Q = 1/√2.
 *
 * svf_pair is the noise/reverb tone unit: a Butterworth low-pass then a Butterworth high-pass
 * on two channels, cutoffs 30–7000 Hz smoothed in the log-frequency domain (≈20 ms) with
 * coefficients recomputed every SVF_CONTROL_INTERVAL samples while a knob moves.
 */
#ifndef KWR_SVF_H
#define KWR_SVF_H

#include "dsp_math.h"

#define SVF_MIN_HZ 30.0f
#define SVF_MAX_HZ 7000.0f
#define SVF_CONTROL_INTERVAL 16

typedef struct {
    float a1, a2, a3, k;
} svf_coefs;

typedef struct {
    float ic1, ic2;
} svf_state;

/* fc in Hz, clamped below 0.49·fs; q > 0. */
void svf_design(svf_coefs *c, float fc, float q, float sample_rate);

/* One tick; returns v1 (band), writes LP to *lp; HP = x - k·v1 - lp. */
KWR_INLINE float svf_tick(const svf_coefs *c, svf_state *s, float x, float *lp) {
    float v3 = x - s->ic2;
    float v1 = c->a1 * s->ic1 + c->a2 * v3;
    float v2 = s->ic2 + c->a2 * s->ic1 + c->a3 * v3;
    s->ic1 = 2.0f * v1 - s->ic1;
    s->ic2 = 2.0f * v2 - s->ic2;
    *lp = v2;
    return v1;
}
KWR_INLINE float svf_lp(const svf_coefs *c, svf_state *s, float x) {
    float lp;
    svf_tick(c, s, x, &lp);
    return lp;
}
KWR_INLINE float svf_hp(const svf_coefs *c, svf_state *s, float x) {
    float lp;
    float bp = svf_tick(c, s, x, &lp);
    return x - c->k * bp - lp;
}
/* 2nd-order allpass: x - 2k·bp. */
KWR_INLINE float svf_ap(const svf_coefs *c, svf_state *s, float x) {
    float lp;
    float bp = svf_tick(c, s, x, &lp);
    return x - 2.0f * c->k * bp;
}
KWR_INLINE void svf_state_flush(svf_state *s) {
    s->ic1 = kwr_flush(s->ic1);
    s->ic2 = kwr_flush(s->ic2);
}

typedef struct {
    float sample_rate;
    float lp_target, hp_target;      /* log2(Hz) targets */
    float lp_current, hp_current;    /* smoothed log2(Hz) */
    float smooth;                    /* per-control-interval one-pole coefficient */
    int countdown;
    svf_coefs lp, hp;
    svf_state lp_state[2], hp_state[2];
} svf_pair;

void svf_pair_init(svf_pair *f, float sample_rate);
void svf_pair_reset(svf_pair *f);
/* Hz, clamped to 30–7000; NaN keeps the current value. */
void svf_pair_set_low_pass(svf_pair *f, float hz);
void svf_pair_set_high_pass(svf_pair *f, float hz);
/* Jump the smoothers to their targets (used after loading a preset while silent, and by tests). */
void svf_pair_snap(svf_pair *f);
/* In place on `channels` (1 or 2) buffers of n samples. */
void svf_pair_process(svf_pair *f, float *left, float *right, int n);

#endif
