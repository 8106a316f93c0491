/* ott.c — see ott.h for the topology and the numbers. */
#include "ott.h"

static const float ATTACK_MS[OTT_BANDS] = {10.0f, 5.0f, 1.0f};
static const float RELEASE_MS[OTT_BANDS] = {100.0f, 75.0f, 50.0f};
static const float UP_RATIO[OTT_BANDS] = {3.0f, 4.0f, 5.0f};
static const float EQ_KICK_DB[OTT_BANDS] = {9.0f, -3.0f, 0.0f};
static const float EQ_MASTER_DB[OTT_BANDS] = {3.0f, -3.0f, 0.0f};

static float coef_for_ms(float ms, float sample_rate) {
    return 1.0f - kwr_expf(-1000.0f / (ms * sample_rate));
}

void ott_init(ott *o, ott_variant variant, float sample_rate) {
    o->sample_rate = sample_rate;
    o->down_ratio = variant == OTT_KICK ? 10.0f : 8.0f;
    for (int b = 0; b < OTT_BANDS; b++) {
        o->eq_db[b] = variant == OTT_KICK ? EQ_KICK_DB[b] : EQ_MASTER_DB[b];
        o->up_ratio[b] = UP_RATIO[b];
        o->attack[b] = coef_for_ms(ATTACK_MS[b], sample_rate);
        o->release[b] = coef_for_ms(RELEASE_MS[b], sample_rate);
    }
    svf_design(&o->c100, 100.0f, 0.70710678f, sample_rate);
    svf_design(&o->c2500, 2500.0f, 0.70710678f, sample_rate);
    ramp_init(&o->amount, 0.0f, 0.02f, sample_rate);
    ramp_init(&o->active, 0.0f, 0.01f, sample_rate);
    ott_reset(o);
}

void ott_reset(ott *o) {
    kwr_memset(o->ch, 0, sizeof(o->ch));
    for (int b = 0; b < OTT_BANDS; b++) {
        o->env[b] = 0.0f;
        o->gain[b] = 1.0f;
        o->gain_step[b] = 0.0f;
    }
    o->phase = 0;
    ramp_snap(&o->amount);
    ramp_snap(&o->active);
}

void ott_set_amount(ott *o, float amount) {
    if (amount != amount) return;
    amount = kwr_clamp_param(amount, 0.0f, 1.0f, 0.0f);
    ramp_set(&o->amount, amount);
    ramp_set(&o->active, amount > 0.0f ? 1.0f : 0.0f);
}

float ott_gain_db(const ott *o, int band, float level_db, float amount) {
    float comp = 0.0f;
    if (level_db > OTT_DOWN_THRESHOLD_DB) {
        comp = -(level_db - OTT_DOWN_THRESHOLD_DB) * (1.0f - 1.0f / o->down_ratio);
    } else if (level_db < OTT_UP_THRESHOLD_DB) {
        comp = (OTT_UP_THRESHOLD_DB - level_db) * (1.0f - 1.0f / o->up_ratio[band]);
        if (comp > OTT_UP_MAX_DB) comp = OTT_UP_MAX_DB;
    }
    return amount * (comp + o->eq_db[band] + OTT_MAKEUP_DB);
}

static void split_channel(const ott *o, ott_channel *c, const float *x, float *low, float *mid,
                          float *high, int n) {
    ott_channel s = *c;
    const svf_coefs *a = &o->c100, *b = &o->c2500;
    for (int i = 0; i < n; i++) {
        float lp1;
        float bp1 = svf_tick(a, &s.s100, x[i], &lp1);
        float hp1 = x[i] - a->k * bp1 - lp1;
        float lo = svf_lp(a, &s.s100_lp, lp1);
        float rest = svf_hp(a, &s.s100_hp, hp1);
        float lp2;
        float bp2 = svf_tick(b, &s.s2500, rest, &lp2);
        float hp2 = rest - b->k * bp2 - lp2;
        mid[i] = svf_lp(b, &s.s2500_lp, lp2);
        high[i] = svf_hp(b, &s.s2500_hp, hp2);
        low[i] = svf_ap(b, &s.ap2500, lo);
    }
    svf_state *st = &s.s100;
    for (int k = 0; k < 7; k++) svf_state_flush(st + k);
    *c = s;
}

/* One LR4 3-band split step for one sample; inlined twice in the stereo loop below. */
static inline void split_tick(const svf_coefs *a, const svf_coefs *b, ott_channel *s, float x,
                              float *low, float *mid, float *high) {
    float lp1;
    float bp1 = svf_tick(a, &s->s100, x, &lp1);
    float hp1 = x - a->k * bp1 - lp1;
    float lo = svf_lp(a, &s->s100_lp, lp1);
    float rest = svf_hp(a, &s->s100_hp, hp1);
    float lp2;
    float bp2 = svf_tick(b, &s->s2500, rest, &lp2);
    float hp2 = rest - b->k * bp2 - lp2;
    *mid = svf_lp(b, &s->s2500_lp, lp2);
    *high = svf_hp(b, &s->s2500_hp, hp2);
    *low = svf_ap(b, &s->ap2500, lo);
}

/* Both channels in one loop: two independent recurrences for the CPU to overlap. */
static void split_stereo(ott *o, int n) {
    ott_channel l = o->ch[0], r = o->ch[1];
    const svf_coefs *a = &o->c100, *b = &o->c2500;
    float *const *io = o->io;
    for (int i = 0; i < n; i++) {
        split_tick(a, b, &l, io[0][i], &o->band[0][0][i], &o->band[0][1][i], &o->band[0][2][i]);
        split_tick(a, b, &r, io[1][i], &o->band[1][0][i], &o->band[1][1][i], &o->band[1][2][i]);
    }
    svf_state *sl = &l.s100, *sr = &r.s100;
    for (int k = 0; k < 7; k++) {
        svf_state_flush(sl + k);
        svf_state_flush(sr + k);
    }
    o->ch[0] = l;
    o->ch[1] = r;
}

void ott_split(ott *o, int channel, const float *x, float *low, float *mid, float *high, int n) {
    split_channel(o, &o->ch[channel], x, low, mid, high, n);
}

void ott_process(ott *o, float *left, float *right, int n) {
    if (!ramp_moving(&o->active) && o->active.value == 0.0f) {
        if (o->env[0] != 0.0f || o->env[1] != 0.0f || o->env[2] != 0.0f) ott_reset(o);
        return;
    }
    int channels = right ? 2 : 1;
    if (channels == 2) {
        o->io[0] = left;
        o->io[1] = right;
        split_stereo(o, n);
    } else {
        split_channel(o, &o->ch[0], left, o->band[0][0], o->band[0][1], o->band[0][2], n);
    }
    /* One pass over the block, the three bands side by side (three independent envelope
     * chains for the CPU to overlap): peak envelope per band, linked across channels; at the end
     * of every OTT_GAIN_INTERVAL samples the gain computer sets the target the band gain ramps
     * to over the next interval; the gained bands are summed straight into the output. */
    const float *bl[OTT_BANDS] = {o->band[0][0], o->band[0][1], o->band[0][2]};
    const int rc = channels - 1;
    const float *br[OTT_BANDS] = {o->band[rc][0], o->band[rc][1], o->band[rc][2]};
    float env[OTT_BANDS], g[OTT_BANDS], step[OTT_BANDS];
    for (int b = 0; b < OTT_BANDS; b++) {
        env[b] = o->env[b];
        g[b] = o->gain[b];
        step[b] = o->gain_step[b];
    }
    int ph = o->phase;
    for (int i = 0; i < n; i++) {
        float amount = ramp_next(&o->amount);
        float yl = 0.0f, yr = 0.0f;
        for (int b = 0; b < OTT_BANDS; b++) {
            float xl = bl[b][i], xr = br[b][i];
            float d = kwr_maxf(kwr_absf(xl), kwr_absf(xr));
            env[b] += (d > env[b] ? o->attack[b] : o->release[b]) * (d - env[b]);
            g[b] += step[b];
            yl += xl * g[b];
            yr += xr * g[b];
        }
        if (++ph == OTT_GAIN_INTERVAL) {
            ph = 0;
            for (int b = 0; b < OTT_BANDS; b++) {
                float target_db = env[b] > 1e-7f
                                      ? ott_gain_db(o, b, kwr_fast_gain_to_db(env[b]), amount)
                                      : amount * (o->eq_db[b] + OTT_MAKEUP_DB);
                step[b] = (kwr_fast_db_to_gain(target_db) - g[b]) * (1.0f / OTT_GAIN_INTERVAL);
            }
        }
        float m = ramp_next(&o->active);
        /* m == 1 gives exactly the fully-wet value, whatever the block split */
        left[i] = m == 1.0f ? yl : left[i] + m * (yl - left[i]);
        if (channels == 2) right[i] = m == 1.0f ? yr : right[i] + m * (yr - right[i]);
    }
    for (int b = 0; b < OTT_BANDS; b++) {
        o->env[b] = kwr_flush(env[b]);
        o->gain[b] = g[b];
        o->gain_step[b] = step[b];
    }
    o->phase = ph;
}
