/* svf.c — TPT state-variable filter and the smoothed LP→HP pair, see svf.h. */
#include "svf.h"

void svf_design(svf_coefs *c, float fc, float q, float sample_rate) {
    float nyq_guard = 0.49f * sample_rate;
    if (!(fc > 1.0f)) fc = 1.0f;
    if (fc > nyq_guard) fc = nyq_guard;
    double g = kwr_tan(KWR_PI * (double)fc / (double)sample_rate);
    double k = 1.0 / (double)q;
    double a1 = 1.0 / (1.0 + g * (g + k));
    c->a1 = (float)a1;
    c->a2 = (float)(g * a1);
    c->a3 = (float)(g * g * a1);
    c->k = (float)k;
}

static float log2_hz(float hz) { return kwr_logf(hz) * 1.44269504088896341f; }
static float hz_of_log2(float l) { return kwr_expf(l * 0.693147180559945309f); }

void svf_pair_init(svf_pair *f, float sample_rate) {
    f->sample_rate = sample_rate;
    /* 20 ms time constant evaluated once per control interval */
    f->smooth = 1.0f - kwr_expf(-(float)SVF_CONTROL_INTERVAL / (0.02f * sample_rate));
    f->lp_target = f->lp_current = log2_hz(SVF_MAX_HZ);
    f->hp_target = f->hp_current = log2_hz(SVF_MIN_HZ);
    svf_pair_reset(f);
}

void svf_pair_reset(svf_pair *f) {
    for (int ch = 0; ch < 2; ch++) {
        f->lp_state[ch].ic1 = f->lp_state[ch].ic2 = 0.0f;
        f->hp_state[ch].ic1 = f->hp_state[ch].ic2 = 0.0f;
    }
    svf_pair_snap(f);
}

void svf_pair_set_low_pass(svf_pair *f, float hz) {
    if (hz != hz) return;
    f->lp_target = log2_hz(kwr_clamp_param(hz, SVF_MIN_HZ, SVF_MAX_HZ, SVF_MAX_HZ));
}

void svf_pair_set_high_pass(svf_pair *f, float hz) {
    if (hz != hz) return;
    f->hp_target = log2_hz(kwr_clamp_param(hz, SVF_MIN_HZ, SVF_MAX_HZ, SVF_MIN_HZ));
}

static void design_both(svf_pair *f) {
    svf_design(&f->lp, hz_of_log2(f->lp_current), 0.70710678f, f->sample_rate);
    svf_design(&f->hp, hz_of_log2(f->hp_current), 0.70710678f, f->sample_rate);
}

void svf_pair_snap(svf_pair *f) {
    f->lp_current = f->lp_target;
    f->hp_current = f->hp_target;
    f->countdown = 0;
    design_both(f);
}

/* Advances the smoothers by one control interval; returns nonzero while still moving. */
static void step_smoothers(svf_pair *f) {
    float dl = f->lp_target - f->lp_current;
    float dh = f->hp_target - f->hp_current;
    if (dl == 0.0f && dh == 0.0f) return;
    /* within 0.001 octave the move is inaudible: land exactly */
    f->lp_current = kwr_absf(dl) < 1e-3f ? f->lp_target : f->lp_current + f->smooth * dl;
    f->hp_current = kwr_absf(dh) < 1e-3f ? f->hp_target : f->hp_current + f->smooth * dh;
    design_both(f);
}

/* Coefficients and states are copied to locals: the output stores are floats like them, so
 * through the pointers the compiler would reload them on every sample. */
static void run_channel(const svf_coefs *lpc, const svf_coefs *hpc, svf_state *ls, svf_state *hs,
                        float *buf, int n) {
    const svf_coefs lc = *lpc, hc = *hpc;
    svf_state l = *ls, h = *hs;
    for (int i = 0; i < n; i++) {
        float y = svf_lp(&lc, &l, buf[i]);
        buf[i] = svf_hp(&hc, &h, y);
    }
    *ls = l;
    *hs = h;
}

/* Both channels and both filters in one four-lane vector [LP L, LP R, HP L, HP R]: the high-pass
 * lanes take the low-pass output of the previous sample, so one vector tick per sample replaces
 * four scalar ones. The first low-pass and the last high-pass sample of a run are scalar ticks;
 * every lane does exactly svf_tick's arithmetic, so the output equals the scalar cascade. */
static void run_stereo(const svf_coefs *lpc, const svf_coefs *hpc, svf_state *ls, svf_state *hs,
                       float *left, float *right, int n) {
    if (n <= 0) return;
    const kwr_f4 a1 = {lpc->a1, lpc->a1, hpc->a1, hpc->a1};
    const kwr_f4 a2 = {lpc->a2, lpc->a2, hpc->a2, hpc->a2};
    const kwr_f4 a3 = {lpc->a3, lpc->a3, hpc->a3, hpc->a3};
    const kwr_f4 k = kwr_splat4(hpc->k);
    float yl = svf_lp(lpc, &ls[0], left[0]);
    float yr = svf_lp(lpc, &ls[1], right[0]);
    kwr_f4 ic1 = {ls[0].ic1, ls[1].ic1, hs[0].ic1, hs[1].ic1};
    kwr_f4 ic2 = {ls[0].ic2, ls[1].ic2, hs[0].ic2, hs[1].ic2};
    for (int i = 1; i < n; i++) {
        kwr_f4 x = {left[i], right[i], yl, yr};
        kwr_f4 v3 = x - ic2;
        kwr_f4 v1 = a1 * ic1 + a2 * v3;
        kwr_f4 v2 = ic2 + a2 * ic1 + a3 * v3;
        ic1 = 2.0f * v1 - ic1;
        ic2 = 2.0f * v2 - ic2;
        kwr_f4 hp = x - k * v1 - v2;
        left[i - 1] = hp[2];
        right[i - 1] = hp[3];
        yl = v2[0];
        yr = v2[1];
    }
    ls[0].ic1 = ic1[0];
    ls[1].ic1 = ic1[1];
    hs[0].ic1 = ic1[2];
    hs[1].ic1 = ic1[3];
    ls[0].ic2 = ic2[0];
    ls[1].ic2 = ic2[1];
    hs[0].ic2 = ic2[2];
    hs[1].ic2 = ic2[3];
    left[n - 1] = svf_hp(hpc, &hs[0], yl);
    right[n - 1] = svf_hp(hpc, &hs[1], yr);
}

void svf_pair_process(svf_pair *f, float *left, float *right, int n) {
    int done = 0;
    while (done < n) {
        if (f->countdown <= 0) {
            step_smoothers(f);
            f->countdown = SVF_CONTROL_INTERVAL;
        }
        int chunk = n - done < f->countdown ? n - done : f->countdown;
        if (right) {
            run_stereo(&f->lp, &f->hp, f->lp_state, f->hp_state, left + done, right + done, chunk);
        } else {
            run_channel(&f->lp, &f->hp, &f->lp_state[0], &f->hp_state[0], left + done, chunk);
        }
        done += chunk;
        f->countdown -= chunk;
    }
    for (int ch = 0; ch < 2; ch++) {
        svf_state_flush(&f->lp_state[ch]);
        svf_state_flush(&f->hp_state[ch]);
    }
}
