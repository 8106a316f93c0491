/* player.c — see player.h. */
#include "player.h"

#define HALF_TAPS (PLAYER_TAPS / 2)

/* Row ph holds the taps at phase ph/PHASES and their difference to the next phase's taps, so
 * playback interpolates between phases with one multiply-add per tap. */
static void build_table(sinc_table *t, float cutoff) {
    float prev[PLAYER_TAPS];
    for (int ph = 0; ph <= PLAYER_PHASES; ph++) {
        double f = (double)ph / PLAYER_PHASES;
        float row[PLAYER_TAPS];
        double sum = 0.0;
        for (int k = 0; k < PLAYER_TAPS; k++) {
            double d = (double)(k - (HALF_TAPS - 1)) - f; /* distance of tap from the read point */
            double x = KWR_PI * cutoff * d;
            double sinc = d == 0.0 ? 1.0 : kwr_sin(x) / x;
            double w = 0.0;
            double u = d / (double)HALF_TAPS; /* window spans |d| < HALF_TAPS */
            if (u > -1.0 && u < 1.0) {
                w = 0.42 + 0.5 * kwr_cos(KWR_PI * u) + 0.08 * kwr_cos(2.0 * KWR_PI * u);
            }
            double h = cutoff * sinc * w;
            row[k] = (float)h;
            sum += h;
        }
        /* unity gain at DC for every phase */
        for (int k = 0; k < PLAYER_TAPS; k++) row[k] = (float)(row[k] / sum);
        if (ph > 0) {
            for (int k = 0; k < PLAYER_TAPS; k++) t->delta[ph - 1][k] = row[k] - prev[k];
        }
        if (ph < PLAYER_PHASES) {
            for (int k = 0; k < PLAYER_TAPS; k++) t->taps[ph][k] = prev[k] = row[k];
        }
    }
    t->cutoff = cutoff;
}

void player_init(player *p, float sample_rate, int looping) {
    p->sample_rate = sample_rate;
    p->looping = looping;
    p->length = 1.0f;
    p->tune = 0.0f;
    p->choke_step = 1.0f / ((looping ? 0.01f : 0.005f) * sample_rate);
    p->attack_step = looping ? 1.0f / (0.01f * sample_rate) : 1.0f;
    p->release_step = 1.0f / (PLAYER_RELEASE_SECONDS * sample_rate);
    p->selected = 0;
    for (int i = 0; i < PLAYER_TABLES; i++) p->tables[i].cutoff = 0.0f;
    player_reset(p);
}

void player_reset(player *p) {
    for (int i = 0; i < 2; i++) {
        p->v[i].active = 0;
        p->v[i].s = 0;
        p->v[i].table = 0;
    }
}

void player_select(player *p, const sample_buf *s) { p->selected = s; }

void player_set_length(player *p, float length) {
    if (length != length) return;
    p->length = kwr_clamp_param(length, 0.1f, 1.0f, 1.0f);
}

void player_set_tune(player *p, float semitones) {
    if (semitones != semitones) return;
    p->tune = kwr_clamp_param(semitones, -12.0f, 12.0f, 0.0f);
}

double player_step(const player *p, const sample_buf *s) {
    double ratio = s ? (double)s->sample_rate / (double)p->sample_rate : 1.0;
    if (p->tune != 0.0f) ratio *= kwr_pow2((double)p->tune / 12.0);
    return ratio;
}

/* A table with this cutoff, built if needed in a slot no playing voice uses. */
static const sinc_table *table_for(player *p, float cutoff) {
    for (int i = 0; i < PLAYER_TABLES; i++) {
        if (p->tables[i].cutoff == cutoff) return &p->tables[i];
    }
    for (int i = 0; i < PLAYER_TABLES; i++) {
        const sinc_table *t = &p->tables[i];
        int busy = 0;
        for (int v = 0; v < 2; v++) busy |= p->v[v].active && p->v[v].table == t;
        if (!busy) {
            build_table(&p->tables[i], cutoff);
            return &p->tables[i];
        }
    }
    return &p->tables[0];
}

void player_trigger(player *p) {
    const sample_buf *s = p->selected;
    /* choke whatever plays, then start the new voice in a free slot */
    int slot = -1;
    for (int i = 0; i < 2; i++) {
        voice *v = &p->v[i];
        if (v->active) {
            if (v->amp_step >= 0.0f || -v->amp_step < p->choke_step) v->amp_step = -p->choke_step;
        } else if (slot < 0) {
            slot = i;
        }
    }
    if (!s || s->frames < 1) return;
    if (slot < 0) {
        /* both busy: replace the quieter one */
        slot = p->v[0].amp < p->v[1].amp ? 0 : 1;
    }
    voice *v = &p->v[slot];
    v->s = s;
    v->step = player_step(p, s);
    if (v->step == 1.0) {
        v->table = 0;
    } else {
        float cutoff = (float)(0.95 * (v->step > 1.0 ? 1.0 / v->step : 1.0));
        v->table = table_for(p, cutoff);
    }
    v->pos = 0.0;
    v->amp = p->looping ? 0.0f : 1.0f;
    v->amp_step = p->looping ? p->attack_step : 0.0f;
    v->active = 1;
}

void player_release(player *p) {
    for (int i = 0; i < 2; i++) {
        voice *v = &p->v[i];
        if (v->active && (v->amp_step >= 0.0f || -v->amp_step < p->release_step)) {
            v->amp_step = -p->release_step;
        }
    }
}

void player_forget(player *p, const sample_buf *s) {
    for (int i = 0; i < 2; i++) {
        if (p->v[i].s == s) {
            p->v[i].active = 0;
            p->v[i].s = 0;
        }
    }
    if (p->selected == s) p->selected = 0;
}

int player_active(const player *p) { return p->v[0].active || p->v[1].active; }

static inline float tap_read(const float *x, int frames, int idx, int looping) {
    if (looping) {
        idx %= frames;
        if (idx < 0) idx += frames;
        return x[idx];
    }
    return (idx >= 0 && idx < frames) ? x[idx] : 0.0f;
}

/* The windowed-sinc sum at `pos` as four partial sums (taps k, k + 4, k + 8, k + 12 per lane);
 * a sample is (lane 0 + lane 1) + (lane 2 + lane 3), the same order on every path. */
static inline kwr_f4 partial_sums(const sinc_table *t, const float *x, int frames, double pos,
                                  int looping) {
    double fl = kwr_floor(pos);
    int i = (int)fl;
    float f = (float)(pos - fl) * PLAYER_PHASES;
    int ph = (int)f;
    if (ph >= PLAYER_PHASES) ph = PLAYER_PHASES - 1;
    const kwr_f4 frac = kwr_splat4(f - (float)ph);
    const float *k0 = t->taps[ph], *dk = t->delta[ph];
    int first = i - (HALF_TAPS - 1);
    float src[PLAYER_TAPS];
    const float *s;
    if (first >= 0 && first + PLAYER_TAPS <= frames) {
        s = x + first;
    } else {
        for (int k = 0; k < PLAYER_TAPS; k++) src[k] = tap_read(x, frames, first + k, looping);
        s = src;
    }
    kwr_f4 acc = kwr_splat4(0.0f);
    for (int k = 0; k < PLAYER_TAPS; k += 4) {
        kwr_f4 c = *(const kwr_f4u *)(k0 + k) + frac * *(const kwr_f4u *)(dk + k);
        acc += *(const kwr_f4u *)(s + k) * c;
    }
    return acc;
}

static inline float interpolate(const sinc_table *t, const float *x, int frames, double pos,
                                int looping) {
    kwr_f4 acc = partial_sums(t, x, frames, pos, looping);
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* Four successive samples (pos, pos + step, …, the positions playback steps through): their
 * partial sums transposed so that one vector addition tree finishes all four, in the order
 * interpolate uses. */
static inline kwr_f4 interpolate4(const sinc_table *t, const float *x, int frames, double pos,
                                  double step, int looping) {
    kwr_f4 a0 = partial_sums(t, x, frames, pos, looping);
    pos += step;
    kwr_f4 a1 = partial_sums(t, x, frames, pos, looping);
    pos += step;
    kwr_f4 a2 = partial_sums(t, x, frames, pos, looping);
    pos += step;
    kwr_f4 a3 = partial_sums(t, x, frames, pos, looping);
    kwr_f4 t0 = __builtin_shufflevector(a0, a1, 0, 4, 1, 5), t1 = __builtin_shufflevector(a0, a1, 2, 6, 3, 7);
    kwr_f4 t2 = __builtin_shufflevector(a2, a3, 0, 4, 1, 5), t3 = __builtin_shufflevector(a2, a3, 2, 6, 3, 7);
    return (__builtin_shufflevector(t0, t2, 0, 1, 4, 5) + __builtin_shufflevector(t0, t2, 2, 3, 6, 7)) +
           (__builtin_shufflevector(t1, t3, 0, 1, 4, 5) + __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
}

/* Samples from `pos` that can run without a fade, wrap or end check (one step of margin). */
static int steady_run(const voice *v, int looping, double end, double fade_len, double pos, int limit) {
    if (v->amp_step != 0.0f) return 0;
    double room = looping ? end - pos : end - fade_len - pos;
    double steps = kwr_floor(room / v->step) - 1.0;
    if (steps <= 0.0) return 0;
    return steps < (double)limit ? (int)steps : limit;
}

static void render_voice(player *p, voice *v, float *out_l, float *out_r, int n) {
    const sample_buf *s = v->s;
    const int frames = s->frames, looping = p->looping, stereo = s->channels == 2;
    const float *xl = s->ch[0], *xr = stereo ? s->ch[1] : s->ch[0];
    const double end = looping ? (double)frames : (double)p->length * (double)frames;
    const double fade_len = (double)PLAYER_CUT_FADE * v->step;
    const double step = v->step;
    double pos = v->pos;
    float amp = v->amp;
    int i = 0;
    while (i < n) {
        /* steady stretch: no envelope ramp, far from the cut fade, the end and the loop point */
        int run = steady_run(v, looping, end, fade_len, pos, n - i);
        if (run > 0) {
            const float g = amp;
            if (!v->table) {
                int idx = (int)pos;
                if (out_r) {
                    for (int j = 0; j < run; j++) {
                        out_l[i + j] += g * xl[idx + j];
                        out_r[i + j] += g * xr[idx + j];
                    }
                } else if (stereo) {
                    for (int j = 0; j < run; j++) out_l[i + j] += g * (0.5f * (xl[idx + j] + xr[idx + j]));
                } else {
                    for (int j = 0; j < run; j++) out_l[i + j] += g * xl[idx + j];
                }
                pos += (double)run; /* step is exactly 1 on the direct path */
            } else {
                int j = 0;
                for (; j + 4 <= run; j += 4) {
                    kwr_f4 a = interpolate4(v->table, xl, frames, pos, step, looping);
                    kwr_f4 b = stereo ? interpolate4(v->table, xr, frames, pos, step, looping) : a;
                    if (out_r) {
                        *(kwr_f4u *)(out_l + i + j) += g * a;
                        *(kwr_f4u *)(out_r + i + j) += g * b;
                    } else {
                        *(kwr_f4u *)(out_l + i + j) += g * (stereo ? 0.5f * (a + b) : a);
                    }
                    for (int k = 0; k < 4; k++) pos += step;
                }
                for (; j < run; j++) {
                    float a = interpolate(v->table, xl, frames, pos, looping);
                    float b = stereo ? interpolate(v->table, xr, frames, pos, looping) : a;
                    if (out_r) {
                        out_l[i + j] += g * a;
                        out_r[i + j] += g * b;
                    } else {
                        out_l[i + j] += g * (stereo ? 0.5f * (a + b) : a);
                    }
                    pos += step;
                }
            }
            i += run;
            continue;
        }
        float g = amp;
        if (!looping) {
            double left = end - pos;
            if (left <= 0.0) {
                v->active = 0;
                break;
            }
            if (left < fade_len) g *= (float)(left / fade_len);
        }
        float a, b;
        if (!v->table) {
            int idx = (int)pos;
            a = xl[idx];
            b = xr[idx];
        } else {
            a = interpolate(v->table, xl, frames, pos, looping);
            b = stereo ? interpolate(v->table, xr, frames, pos, looping) : a;
        }
        if (out_r) {
            out_l[i] += g * a;
            out_r[i] += g * b;
        } else {
            out_l[i] += g * (stereo ? 0.5f * (a + b) : a);
        }
        pos += step;
        if (looping && pos >= (double)frames) pos -= (double)frames;
        if (v->amp_step != 0.0f) {
            amp += v->amp_step;
            if (amp >= 1.0f) {
                amp = 1.0f;
                v->amp_step = 0.0f;
            } else if (amp <= 0.0f) {
                v->active = 0;
                break;
            }
        }
        i++;
    }
    v->pos = pos;
    v->amp = amp;
}

void player_process(player *p, float *out_left, float *out_right, int n) {
    for (int i = 0; i < n; i++) out_left[i] = 0.0f;
    if (out_right) for (int i = 0; i < n; i++) out_right[i] = 0.0f;
    for (int k = 0; k < 2; k++) {
        if (p->v[k].active) render_voice(p, &p->v[k], out_left, out_right, n);
    }
}
