/* limiter.c — see limiter.h for the gain structure and its source. */
#include "limiter.h"

/* JUCE's BallisticsFilter coefficient for a time in ms: exp(−2π·1000 / (fs·ms)). */
static float ballistics_coef(float ms, float sample_rate) {
    return kwr_expf(-2.0f * (float)KWR_PI * 1000.0f / (sample_rate * ms));
}

void limiter_init(limiter *l, float sample_rate) {
    l->sample_rate = sample_rate;
    l->att1 = ballistics_coef(LIMITER_STAGE1_ATTACK_MS, sample_rate);
    l->rel1 = ballistics_coef(LIMITER_STAGE1_RELEASE_MS, sample_rate);
    l->rel2 = ballistics_coef(LIMITER_STAGE2_RELEASE_MS, sample_rate);
    l->threshold1 = kwr_db_to_gain(LIMITER_STAGE1_THRESHOLD_DB);
    l->makeup = kwr_db_to_gain(LIMITER_MAKEUP_DB);
    ramp_init(&l->pregain, 1.5f, 0.02f, sample_rate);
    limiter_reset(l);
}

void limiter_reset(limiter *l) {
    for (int c = 0; c < 2; c++) l->env1[c] = l->env2[c] = 0.0f;
    limiter_snap(l);
}

void limiter_snap(limiter *l) { ramp_snap(&l->pregain); }

void limiter_set_pregain(limiter *l, float gain) {
    if (gain != gain) return;
    ramp_set(&l->pregain, kwr_clamp_param(gain, 1.0f, 8.0f, 1.5f));
}

static inline kwr_f4 pick4(kwr_i4 m, kwr_f4 a, kwr_f4 b) {
    return (kwr_f4)(((kwr_i4)a & m) | ((kwr_i4)b & ~m));
}

/* The soft clip on four lanes: identity up to the knee, then knee + room·tanh((|v| − knee)/room)
 * with v's sign. Most of the signal sits below the knee (a kick's tail, the noise bed, the
 * reverb), so vectors with no lane above it skip the tanh: same values, a fraction of the work. */
static inline kwr_f4 softclip4(kwr_f4 v) {
    const float knee = SOFTCLIP_KNEE, room = 1.0f - SOFTCLIP_KNEE;
    kwr_f4 a = __builtin_elementwise_abs(v);
    kwr_i4 over = a > knee;
    if (!__builtin_reduce_or(over)) return v;
    kwr_f4 y = knee + room * kwr_tanh4((a - knee) * (1.0f / room));
    kwr_i4 sign = (kwr_i4)v & (kwr_i4)kwr_splat4(-0.0f);
    return pick4(over, (kwr_f4)((kwr_i4)y | sign), v);
}

float limiter_softclip(float v) { return softclip4(kwr_splat4(v))[0]; }

/* JUCE's peak envelope (attack coefficient `att`, 0 = instant; release `rel`) of both channels:
 * the only serial part of a stage, two independent chains in one loop so they overlap.
 * Returns the block's peak envelope. */
static float envelopes(limiter *l, int n, float *state, float att, float rel) {
    float el = state[0], er = state[1], top = 0.0f;
    const float *xl = l->x[0], *xr = l->x[1];
    float *ol = l->env[0], *or = l->env[1];
    for (int i = 0; i < n; i++) {
        float rl = kwr_absf(xl[i]), rr = kwr_absf(xr[i]);
        el = rl + (rl > el ? att : rel) * (el - rl);
        er = rr + (rr > er ? att : rel) * (er - rr);
        ol[i] = el;
        or[i] = er;
        top = kwr_maxf(top, kwr_maxf(el, er));
    }
    state[0] = kwr_flush(el);
    state[1] = kwr_flush(er);
    return top;
}

static void process_block(limiter *l, float *left, float *right, int n) {
    const int padded = (n + 3) & ~3; /* lanes past n hold stale values and are never stored */
    ramp_fill(&l->pregain, l->gain, n);
    for (int i = 0; i < n; i++) {
        l->x[0][i] = kwr_sanitize(left[i], 1e4f) * l->gain[i];
        l->x[1][i] = kwr_sanitize(right[i], 1e4f) * l->gain[i];
    }
    /* stage 1: (env/T)^(1/4 − 1) = 1/s³ with s = (env/T)^(1/4), two square roots: exact and far
     * cheaper than a log and an exp; a block that stays under T keeps gain 1 exactly */
    if (envelopes(l, n, l->env1, l->att1, l->rel1) >= l->threshold1) {
        const kwr_f4 t = kwr_splat4(l->threshold1), inv = kwr_splat4(1.0f / l->threshold1);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < padded; i += 4) {
                kwr_f4 e = *(const kwr_f4u *)(l->env[c] + i);
                kwr_f4 s = __builtin_elementwise_sqrt(__builtin_elementwise_sqrt(e * inv));
                *(kwr_f4u *)(l->x[c] + i) *= pick4(e < t, kwr_splat4(1.0f), 1.0f / (s * s * s));
            }
        }
    }
    /* stage 2: JUCE snaps attack times under 1 µs to an instant attack; 1000:1 is
     * env^(1/1000 − 1) above 0 dBFS */
    if (envelopes(l, n, l->env2, 0.0f, l->rel2) >= LIMITER_STAGE2_THRESHOLD) {
        const float exponent = 1.0f / LIMITER_STAGE2_RATIO - 1.0f;
        const kwr_f4 t = kwr_splat4(LIMITER_STAGE2_THRESHOLD);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < padded; i += 4) {
                kwr_f4 e = *(const kwr_f4u *)(l->env[c] + i);
                kwr_f4 g = kwr_fast_exp2_4(exponent * kwr_fast_log2_4(e));
                *(kwr_f4u *)(l->x[c] + i) *= pick4(e < t, kwr_splat4(1.0f), g);
            }
        }
    }
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < padded; i += 4) {
            *(kwr_f4u *)(l->x[c] + i) = softclip4(*(const kwr_f4u *)(l->x[c] + i) * l->makeup);
        }
    }
    for (int i = 0; i < n; i++) {
        left[i] = l->x[0][i];
        right[i] = l->x[1][i];
    }
}

void limiter_process(limiter *l, float *left, float *right, int n) {
    for (int done = 0; done < n; done += LIMITER_BLOCK) {
        int k = n - done < LIMITER_BLOCK ? n - done : LIMITER_BLOCK;
        process_block(l, left + done, right + done, k);
    }
}
