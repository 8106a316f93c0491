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
    o->down_ratio = variant == OTT_KICK ? 11.0f : 9.0f;
    for (int b = 0; b < OTT_BANDS; b++) {
        o->eq_db[b] = variant == OTT_KICK ? EQ_KICK_DB[b] : EQ_MASTER_DB[b];
        o->up_ratio[b] = UP_RATIO[b];
        o->attack[b] = coef_for_ms(ATTACK_MS[b], sample_rate);
        o->release[b] = coef_for_ms(RELEASE_MS[b], sample_rate);
    }
    svf_design(&o->c100, 100.0f, 0.70710678f, sample_rate);
    svf_design(&o->c2500, 2500.0f, 0.70710678f, sample_rate);
    ramp_init(&o->amount, 0.0f, 0.02f, sample_rate);
    ott_reset(o);
}

void ott_reset(ott *o) {
    ott_svf4 *all[4] = {&o->a, &o->b, &o->ce, &o->d};
    for (int k = 0; k < 4; k++) all[k]->ic1 = all[k]->ic2 = (kwr_f4){0.0f, 0.0f, 0.0f, 0.0f};
    for (int b = 0; b < OTT_BANDS; b++) o->env[b] = 0.0f;
    ott_snap(o);
}

void ott_snap(ott *o) { ramp_snap(&o->amount); }

void ott_set_amount(ott *o, float amount) {
    if (amount != amount) return;
    amount = kwr_clamp_param(amount, 0.0f, 1.0f, 0.0f);
    ramp_set(&o->amount, amount);
}

float ott_gain_db(const ott *o, int band, float level_db, float amount) {
    level_db = kwr_maxf(level_db, OTT_ENV_FLOOR_DB);
    float comp = 0.0f;
    if (level_db > OTT_DOWN_THRESHOLD_DB) {
        float ratio = 1.0f + amount * (o->down_ratio - 1.0f);
        comp = (1.0f - 1.0f / ratio) * (OTT_DOWN_THRESHOLD_DB - level_db);
    } else if (level_db < OTT_UP_THRESHOLD_DB) {
        float ratio = 1.0f + amount * (o->up_ratio[band] - 1.0f);
        comp = (1.0f - 1.0f / ratio) * (OTT_UP_THRESHOLD_DB - level_db);
    }
    return comp + amount * (o->eq_db[band] + OTT_MAKEUP_DB);
}

/* One TPT SVF tick on four lanes (svf.h); returns the band output, *lp the low-pass. */
static inline kwr_f4 tick4(kwr_f4 a1, kwr_f4 a2, kwr_f4 a3, ott_svf4 *s, kwr_f4 x, kwr_f4 *lp) {
    kwr_f4 v3 = x - s->ic2;
    kwr_f4 v1 = a1 * s->ic1 + a2 * v3;
    kwr_f4 v2 = s->ic2 + a2 * s->ic1 + a3 * v3;
    s->ic1 = 2.0f * v1 - s->ic1;
    s->ic2 = 2.0f * v2 - s->ic2;
    *lp = v2;
    return v1;
}

static kwr_f4 flush4(kwr_f4 v) {
    kwr_i4 tiny = __builtin_elementwise_abs(v) < 1e-25f;
    return (kwr_f4)((kwr_i4)v & ~tiny);
}

/* Bitwise select: lanes of `m` set take `a`, the others `b`. */
static inline kwr_f4 pick4(kwr_i4 m, kwr_f4 a, kwr_f4 b) {
    return (kwr_f4)(((kwr_i4)a & m) | ((kwr_i4)b & ~m));
}

/* One tick of four sections in one vector, lanes of `live` updating their state. */
static inline kwr_f4 tick4_masked(kwr_f4 a1, kwr_f4 a2, kwr_f4 a3, ott_svf4 *s, kwr_f4 x,
                                  kwr_f4 *lp, kwr_i4 live) {
    ott_svf4 t = *s;
    kwr_f4 bp = tick4(a1, a2, a3, &t, x, lp);
    s->ic1 = pick4(live, t.ic1, s->ic1);
    s->ic2 = pick4(live, t.ic2, s->ic2);
    return bp;
}

/* The band envelopes (see ott_process) for one sample from its linked band peaks d: one attack
 * or release step each, the three bands side by side in one vector (lane 3 idle), the choice a
 * bitwise select rather than a data-dependent branch. They are stored for the gain pass. */
static inline kwr_f4 envelope_step(ott *o, kwr_f4 env, kwr_f4 att, kwr_f4 rel, kwr_f4 d, int s) {
    env += pick4(d > env, att, rel) * (d - env);
    o->env_buf[0][s] = env[0];
    o->env_buf[1][s] = env[1];
    o->env_buf[2][s] = env[2];
    return env;
}

/* Mono split: the sections use only 7 of the 16 lanes, so they are packed into two vectors,
 * each section one sample behind the one feeding it (software pipelining):
 * p = 100 Hz [a, b low, b rest, –] with b on sample i − 1; q = 2.5 kHz [c rest, c allpass,
 * d low-pass, d high-pass] with c on i − 1 and d on i − 2. The pipeline fills and drains inside
 * each call (lanes without a sample keep their state) and the states live in the stereo lanes
 * (0 and 2) between calls, so the per-lane arithmetic and the result equal the stereo path's.
 * The band envelopes run as a last stage on sample i − 3, their serial chain overlapping the
 * filters'. */
typedef struct {
    kwr_f4 pa1, pa2, pa3, pk, qa1, qa2, qa3, qk;
    ott_svf4 sp, sq;
    float a_lp, a_hp, c_lp, c_hp;
    kwr_f4 env, att, rel;
} mono_pipe;

/* Pipeline step i: a on sample i, b and c on i − 1, d on i − 2, the envelopes on i − 3 (each
 * only where that sample exists: the fill and drain steps at the ends of the call). */
static inline void mono_step(mono_pipe *m, ott *o, const float *x, int i, int a_on, int bc_on,
                             int d_on, int e_on) {
    if (e_on) {
        const int s = i - 3;
        kwr_f4 d = {kwr_absf(o->band[0][0][s]), kwr_absf(o->band[0][1][s]), kwr_absf(o->band[0][2][s]), 0.0f};
        m->env = envelope_step(o, m->env, m->att, m->rel, d, s);
    }
    kwr_i4 live_p = {-a_on, -bc_on, -bc_on, 0}, live_q = {-bc_on, -bc_on, -d_on, -d_on};
    kwr_f4 xp = {a_on ? x[i] : 0.0f, m->a_lp, m->a_hp, 0.0f}, lp;
    kwr_f4 bp = tick4_masked(m->pa1, m->pa2, m->pa3, &m->sp, xp, &lp, live_p);
    kwr_f4 hp = xp - m->pk * bp - lp;
    m->a_lp = lp[0];
    m->a_hp = hp[0];
    kwr_f4 xq = {hp[2], lp[1], m->c_lp, m->c_hp};
    bp = tick4_masked(m->qa1, m->qa2, m->qa3, &m->sq, xq, &lp, live_q);
    hp = xq - m->qk * bp - lp;
    kwr_f4 ap = xq - 2.0f * m->qk * bp;
    m->c_lp = lp[0];
    m->c_hp = hp[0];
    if (bc_on) o->band[0][0][i - 1] = ap[1];
    if (d_on) {
        o->band[0][1][i - 2] = lp[2];
        o->band[0][2][i - 2] = hp[3];
    }
}

static void split_mono(ott *o, const float *x, int n) {
    const svf_coefs *p = &o->c100, *q = &o->c2500;
    mono_pipe m = {
        .pa1 = kwr_splat4(p->a1), .pa2 = kwr_splat4(p->a2), .pa3 = kwr_splat4(p->a3), .pk = kwr_splat4(p->k),
        .qa1 = kwr_splat4(q->a1), .qa2 = kwr_splat4(q->a2), .qa3 = kwr_splat4(q->a3), .qk = kwr_splat4(q->k),
        .env = {o->env[0], o->env[1], o->env[2], 0.0f},
        .att = {o->attack[0], o->attack[1], o->attack[2], 0.0f},
        .rel = {o->release[0], o->release[1], o->release[2], 0.0f},
    };
    m.sp.ic1 = (kwr_f4){o->a.ic1[0], o->b.ic1[0], o->b.ic1[2], 0.0f};
    m.sp.ic2 = (kwr_f4){o->a.ic2[0], o->b.ic2[0], o->b.ic2[2], 0.0f};
    m.sq.ic1 = (kwr_f4){o->ce.ic1[0], o->ce.ic1[2], o->d.ic1[0], o->d.ic1[2]};
    m.sq.ic2 = (kwr_f4){o->ce.ic2[0], o->ce.ic2[2], o->d.ic2[0], o->d.ic2[2]};
    int i = 0;
    for (; i < 3 && i < n; i++) mono_step(&m, o, x, i, 1, i >= 1, i >= 2, 0);
    for (; i < n; i++) mono_step(&m, o, x, i, 1, 1, 1, 1);
    for (; i < n + 3; i++) mono_step(&m, o, x, i, 0, i >= 1 && i <= n, i >= 2 && i <= n + 1, i >= 3);
    for (int b = 0; b < OTT_BANDS; b++) o->env[b] = kwr_flush(m.env[b]);
    o->a.ic1[0] = m.sp.ic1[0];
    o->a.ic2[0] = m.sp.ic2[0];
    o->b.ic1[0] = m.sp.ic1[1];
    o->b.ic2[0] = m.sp.ic2[1];
    o->b.ic1[2] = m.sp.ic1[2];
    o->b.ic2[2] = m.sp.ic2[2];
    o->ce.ic1[0] = m.sq.ic1[0];
    o->ce.ic2[0] = m.sq.ic2[0];
    o->ce.ic1[2] = m.sq.ic1[1];
    o->ce.ic2[2] = m.sq.ic2[1];
    o->d.ic1[0] = m.sq.ic1[2];
    o->d.ic2[0] = m.sq.ic2[2];
    o->d.ic1[2] = m.sq.ic1[3];
    o->d.ic2[2] = m.sq.ic2[3];
}

/* Stereo split, four filters per vector, software-pipelined like the mono split: pipeline step
 * t runs section a on sample t, b on t − 1, c on t − 2 and d on t − 3, each on the vector the
 * section before it left in the previous step. The four sections of one step are then
 * independent, and only each section's own state recurrence remains serial, instead of the whole
 * a → b → c → d chain of one sample. The pipeline fills and drains inside each call (a section
 * without a sample keeps its state); the arithmetic per filter is exactly svf_tick's, so the
 * result equals the scalar cascade. The band envelopes run as a fifth stage, their serial chain
 * overlapping the filters'. */
typedef struct {
    kwr_f4 pa1, pa2, pa3, pk, qa1, qa2, qa3, qk;
    ott_svf4 sa, sb, sc, sd;
    kwr_f4 xb, xc, xd; /* inputs of sections b, c, d for the next step */
    kwr_f4 env, att, rel; /* the three band envelopes (lane 3 idle) and their coefficients */
} stereo_pipe;

/* Pipeline step t: a on sample t, b on t − 1, c on t − 2, d on t − 3, the envelopes on t − 4. */
static inline void stereo_step(stereo_pipe *m, ott *o, const float *left, const float *right,
                               int t, int a_on, int b_on, int c_on, int d_on, int e_on) {
    kwr_f4 lp, bp, hp;
    if (e_on) {
        /* linked peak: max(|L|, |R|) per band */
        const int s = t - 4;
        kwr_f4 l = {kwr_absf(o->band[0][0][s]), kwr_absf(o->band[0][1][s]), kwr_absf(o->band[0][2][s]), 0.0f};
        kwr_f4 r = {kwr_absf(o->band[1][0][s]), kwr_absf(o->band[1][1][s]), kwr_absf(o->band[1][2][s]), 0.0f};
        m->env = envelope_step(o, m->env, m->att, m->rel, pick4(l > r, l, r), s);
    }
    if (d_on) {
        bp = tick4(m->qa1, m->qa2, m->qa3, &m->sd, m->xd, &lp);
        hp = m->xd - m->qk * bp - lp;
        o->band[0][1][t - 3] = lp[0];
        o->band[1][1][t - 3] = lp[1];
        o->band[0][2][t - 3] = hp[2];
        o->band[1][2][t - 3] = hp[3];
    }
    if (c_on) {
        bp = tick4(m->qa1, m->qa2, m->qa3, &m->sc, m->xc, &lp);
        hp = m->xc - m->qk * bp - lp;
        kwr_f4 ap = m->xc - 2.0f * m->qk * bp;
        o->band[0][0][t - 2] = ap[2];
        o->band[1][0][t - 2] = ap[3];
        m->xd = __builtin_shufflevector(lp, hp, 0, 1, 4, 5);
    }
    if (b_on) {
        bp = tick4(m->pa1, m->pa2, m->pa3, &m->sb, m->xb, &lp);
        hp = m->xb - m->pk * bp - lp;
        /* [low L, low R, rest L, rest R] → section c wants [rest L, rest R, low L, low R] */
        m->xc = __builtin_shufflevector(lp, hp, 6, 7, 0, 1);
    }
    if (a_on) {
        kwr_f4 x = {left[t], right[t], 0.0f, 0.0f};
        bp = tick4(m->pa1, m->pa2, m->pa3, &m->sa, x, &lp);
        hp = x - m->pk * bp - lp;
        m->xb = __builtin_shufflevector(lp, hp, 0, 1, 4, 5);
    }
}

static void split_stereo(ott *o, const float *left, const float *right, int n) {
    const svf_coefs *p = &o->c100, *q = &o->c2500;
    stereo_pipe m = {
        .pa1 = kwr_splat4(p->a1), .pa2 = kwr_splat4(p->a2), .pa3 = kwr_splat4(p->a3), .pk = kwr_splat4(p->k),
        .qa1 = kwr_splat4(q->a1), .qa2 = kwr_splat4(q->a2), .qa3 = kwr_splat4(q->a3), .qk = kwr_splat4(q->k),
        .sa = o->a, .sb = o->b, .sc = o->ce, .sd = o->d,
        .env = {o->env[0], o->env[1], o->env[2], 0.0f},
        .att = {o->attack[0], o->attack[1], o->attack[2], 0.0f},
        .rel = {o->release[0], o->release[1], o->release[2], 0.0f},
    };
    int t = 0;
    for (; t < 4 && t < n; t++) stereo_step(&m, o, left, right, t, 1, t >= 1, t >= 2, t >= 3, 0);
    for (; t < n; t++) stereo_step(&m, o, left, right, t, 1, 1, 1, 1, 1);
    for (; t < n + 4; t++) {
        stereo_step(&m, o, left, right, t, 0, t >= 1 && t <= n, t >= 2 && t <= n + 1, t >= 3 && t <= n + 2, t >= 4);
    }
    for (int b = 0; b < OTT_BANDS; b++) o->env[b] = kwr_flush(m.env[b]);
    o->a = m.sa;
    o->b = m.sb;
    o->ce = m.sc;
    o->d = m.sd;
}

/* The LR4 3-band split of left/right (right NULL = mono) into o->band, and the band envelopes
 * into o->env_buf. */
static void split(ott *o, const float *left, const float *right, int n) {
    if (right) {
        split_stereo(o, left, right, n);
    } else {
        split_mono(o, left, n);
    }
    ott_svf4 *all[4] = {&o->a, &o->b, &o->ce, &o->d};
    for (int k = 0; k < 4; k++) {
        all[k]->ic1 = flush4(all[k]->ic1);
        all[k]->ic2 = flush4(all[k]->ic2);
    }
}

void ott_split(ott *o, const float *x, float *low, float *mid, float *high, int n) {
    for (int done = 0; done < n; done += OTT_MAX_BLOCK) {
        int k = n - done < OTT_MAX_BLOCK ? n - done : OTT_MAX_BLOCK;
        split(o, x + done, 0, k);
        for (int i = 0; i < k; i++) {
            low[done + i] = o->band[0][0][i];
            mid[done + i] = o->band[0][1][i];
            high[done + i] = o->band[0][2][i];
        }
    }
}

/* The amount's share of band b's gain computer for four samples: the downward and upward slopes
 * 1 − 1/r with r = 1 + amount·(R − 1), and the EQ + makeup offset in dB. */
typedef struct {
    kwr_f4 down, up, offset;
} band_law4;

static inline band_law4 band_law(const ott *o, int b, kwr_f4 amount) {
    band_law4 law;
    law.down = 1.0f - 1.0f / (1.0f + amount * (o->down_ratio - 1.0f));
    law.up = 1.0f - 1.0f / (1.0f + amount * (o->up_ratio[b] - 1.0f));
    law.offset = amount * (o->eq_db[b] + OTT_MAKEUP_DB);
    return law;
}

/* Band gain for four samples: ott_gain_db (envelope floored at 1e-6) on fast log2/exp2. The
 * law's three cases are down·min(Td − level, 0) + up·max(Tu − level, 0): the thresholds are
 * ordered, so at most one term is non-zero and the sum equals the selected case bit for bit,
 * without the selects. The exponent needs no clamping: the level lies in [−120, 771] dB for
 * any float envelope (NaN takes the floor), so the gain stays within 2^−120…2^16. */
static inline kwr_f4 band_gain4(band_law4 law, kwr_f4 env) {
    const kwr_f4 floor = kwr_splat4(1e-6f), zero = kwr_splat4(0.0f);
    kwr_f4 level = 6.0205999f * kwr_fast_log2_4(pick4(env > floor, env, floor));
    kwr_f4 above = OTT_DOWN_THRESHOLD_DB - level, below = OTT_UP_THRESHOLD_DB - level;
    kwr_f4 comp = law.down * pick4(above < zero, above, zero) + law.up * pick4(below > zero, below, zero);
    return kwr_fast_exp2_4_in_range((comp + law.offset) * 0.16609640f);
}

void ott_process(ott *o, float *left, float *right, int n) {
    int channels = right ? 2 : 1;
    split(o, left, right, n);
    /* the split left the band envelopes in env_buf (its last pipeline stage); the gains and the
     * gained bands summed into the output follow, four samples per vector */
    const float *e0 = o->env_buf[0], *e1 = o->env_buf[1], *e2 = o->env_buf[2];
    /* A settled amount (the usual case) keeps its laws for the whole call: the same values per
     * lane as the moving case computes, without its divisions per sample. The gains go straight
     * into the sum, without a buffer. The last vector of a call whose size is not a multiple of
     * 4 runs past n on stale buffer entries and stores only its lanes below n, so every sample
     * takes the same arithmetic and the output does not depend on the call size. */
    int moving = ramp_moving(&o->amount);
    ramp_fill(&o->amount, o->amounts, n);
    if (!moving && o->amounts[0] == 0.0f) {
        /* amount 0 (Init): every ratio is 1 and every offset 0, so each gain is exactly 1 and
         * the output is exactly the bands' sum; the envelopes above still run, so the amount can
         * leave 0 from the current state */
        for (int c = 0; c < channels; c++) {
            float *x = c ? right : left;
            const float *b0 = o->band[c][0], *b1 = o->band[c][1], *b2 = o->band[c][2];
            for (int i = 0; i < n; i++) x[i] = b0[i] + b1[i] + b2[i];
        }
        return;
    }
    band_law4 law[OTT_BANDS];
    for (int b = 0; b < OTT_BANDS; b++) law[b] = band_law(o, b, kwr_splat4(o->amounts[0]));
    for (int i = 0; i < n; i += 4) {
        if (moving) {
            kwr_f4 amount = *(const kwr_f4u *)(o->amounts + i);
            for (int b = 0; b < OTT_BANDS; b++) law[b] = band_law(o, b, amount);
        }
        kwr_f4 g0 = band_gain4(law[0], *(const kwr_f4u *)(e0 + i));
        kwr_f4 g1 = band_gain4(law[1], *(const kwr_f4u *)(e1 + i));
        kwr_f4 g2 = band_gain4(law[2], *(const kwr_f4u *)(e2 + i));
        for (int c = 0; c < channels; c++) {
            const float *b0 = o->band[c][0] + i, *b1 = o->band[c][1] + i, *b2 = o->band[c][2] + i;
            kwr_f4 y = *(const kwr_f4u *)b0 * g0 + *(const kwr_f4u *)b1 * g1 + *(const kwr_f4u *)b2 * g2;
            float *x = c ? right : left;
            if (i + 4 <= n) {
                *(kwr_f4u *)(x + i) = y;
            } else {
                for (int k = 0; i + k < n; k++) x[i + k] = y[k];
            }
        }
    }
}
