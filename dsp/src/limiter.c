/* limiter.c — see limiter.h. */
#include "limiter.h"

void limiter_init(limiter *l, float sample_rate) {
    l->sample_rate = sample_rate;
    /* 1.5 ms look-ahead: long enough for a smooth attack on a kick's transient */
    int la = (int)(0.0015f * sample_rate);
    if (la > LIMITER_LOOKAHEAD_MAX) la = LIMITER_LOOKAHEAD_MAX;
    if (la < 1) la = 1;
    l->lookahead = la;
    ramp_init(&l->pregain, 1.5f, 0.02f, sample_rate);
    limiter_set_release_ms(l, 30.0f);
    limiter_reset(l);
}

void limiter_reset(limiter *l) {
    kwr_memset(l->cat_l, 0, sizeof(l->cat_l));
    kwr_memset(l->cat_r, 0, sizeof(l->cat_r));
    for (int i = 0; i < LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK; i++) l->cat_need[i] = 1.0f;
    l->now = 0;
    for (int i = 0; i < LIMITER_LOOKAHEAD_MAX; i++) l->box[i] = 1.0f;
    l->box_sum = (double)l->lookahead;
    l->box_pos = 0;
    l->release_gain = 1.0f;
    ramp_snap(&l->pregain);
}

void limiter_set_pregain(limiter *l, float gain) {
    if (gain != gain) return;
    ramp_set(&l->pregain, kwr_clamp_param(gain, 1.0f, 8.0f, 1.5f));
}

void limiter_set_release_ms(limiter *l, float ms) {
    ms = kwr_clamp_param(ms, 10.0f, 50.0f, 30.0f);
    l->release_coef = 1.0f - kwr_expf(-1000.0f / (ms * l->sample_rate));
}

int limiter_latency(const limiter *l) { return l->lookahead; }

static inline kwr_f4 pick4(kwr_i4 m, kwr_f4 a, kwr_f4 b) {
    return (kwr_f4)(((kwr_i4)a & m) | ((kwr_i4)b & ~m));
}

/* kwr_sanitize on four lanes: NaN → 0, then clamped to ±lim. */
static inline kwr_f4 sanitize4(kwr_f4 x, kwr_f4 lim) {
    x = pick4(x != x, kwr_splat4(0.0f), x);
    return pick4(x < -lim, -lim, pick4(x > lim, lim, x));
}

static void process_block(limiter *l, float *left, float *right, int n) {
    const int la = l->lookahead, w = la + 1, m = la + n;
    const double inv_la = 1.0 / (double)la;
    float *cl = l->cat_l, *cr = l->cat_r, *need = l->cat_need;
    /* pre-gain, sanitising, and the gain each sample needs; the ramp in a local, as the float
     * stores below could otherwise alias it and force a reload per sample */
    ramp pregain = l->pregain;
    int i = 0;
    if (!ramp_moving(&pregain)) {
        /* settled pre-gain: four samples per vector, the scalar loop's operations per lane */
        const kwr_f4 g = kwr_splat4(pregain.value), lim = kwr_splat4(1e4f), ceiling = kwr_splat4(LIMITER_CEILING);
        for (; i + 4 <= n; i += 4) {
            kwr_f4 xl = sanitize4(*(const kwr_f4u *)(left + i), lim) * g;
            kwr_f4 xr = sanitize4(*(const kwr_f4u *)(right + i), lim) * g;
            *(kwr_f4u *)(cl + la + i) = xl;
            *(kwr_f4u *)(cr + la + i) = xr;
            kwr_f4 al = __builtin_elementwise_abs(xl), ar = __builtin_elementwise_abs(xr);
            kwr_f4 peak = pick4(al > ar, al, ar);
            *(kwr_f4u *)(need + la + i) = pick4(peak > ceiling, ceiling / peak, kwr_splat4(1.0f));
        }
    }
    for (; i < n; i++) {
        float g_pre = ramp_next(&pregain);
        float xl = kwr_sanitize(left[i], 1e4f) * g_pre;
        float xr = kwr_sanitize(right[i], 1e4f) * g_pre;
        cl[la + i] = xl;
        cr[la + i] = xr;
        float peak = kwr_maxf(kwr_absf(xl), kwr_absf(xr));
        need[la + i] = peak > LIMITER_CEILING ? LIMITER_CEILING / peak : 1.0f;
    }
    l->pregain = pregain;
    /* sliding minimum over la + 1 samples ending at each sample of the block: windows of
     * cat_need[i … i + la]; prefix minima run forward inside segments of w, suffix minima
     * backward, and a window spans at most two segments */
    float *pre = l->prefix, *suf = l->suffix;
    /* segment positions are counted, not taken modulo w (an integer division per sample cost
     * more than the minima themselves), and both running minima of a segment share one loop so
     * their two serial chains overlap */
    for (int seg = 0; seg < m; seg += w) {
        int last = (seg + w < m ? seg + w : m) - 1;
        pre[seg] = need[seg];
        suf[last] = need[last];
        /* both chains in two lanes of one vector, the minimum as a bitwise select (a < b ? a : b,
         * kwr_minf's rule): no data-dependent branch while a limited transient passes */
        kwr_f4 run = {need[seg], need[last], 0.0f, 0.0f};
        for (int j = 1; j <= last - seg; j++) {
            kwr_f4 next = {need[seg + j], need[last - j], 0.0f, 0.0f};
            run = pick4(run < next, run, next);
            pre[seg + j] = run[0];
            suf[last - j] = run[1];
        }
    }
    /* each sample's windowed minimum, in place of its suffix minimum: a separate loop vectorises
     * and leaves only the release chain in the serial loop below */
    for (int i = 0; i < n; i++) suf[i] = kwr_minf(suf[i], pre[i + la]);
    float rg = l->release_gain;
    const float rc = l->release_coef;
    float *box = l->box;
    double box_sum = l->box_sum;
    int box_pos = l->box_pos;
    unsigned now = l->now;
    for (int i = 0; i < n; i++) {
        float held = suf[i];
        /* instant attack, exponential release; the choice as a lane select (see the minima) */
        kwr_f4 h4 = {held, 0.0f, 0.0f, 0.0f}, g4 = {rg, 0.0f, 0.0f, 0.0f};
        rg = pick4(h4 < g4, h4, g4 + rc * (h4 - g4))[0];
        /* box average over the look-ahead */
        box_sum += (double)rg - (double)box[box_pos];
        box[box_pos] = rg;
        box_pos = box_pos + 1 == la ? 0 : box_pos + 1;
        double avg = box_sum * inv_la;
        float g = avg >= 1.0 ? 1.0f : (float)avg;
        /* the audio la samples back */
        float yl = cl[i] * g, yr = cr[i] * g;
        left[i] = yl > 1.0f ? 1.0f : (yl < -1.0f ? -1.0f : yl);
        right[i] = yr > 1.0f ? 1.0f : (yr < -1.0f ? -1.0f : yr);
        if ((now++ & 4095) == 4095) {
            /* re-sum the box now and then (on sample counts, not blocks, so any block size gives
             * the same output) so rounding in the running sum cannot accumulate */
            double s = 0.0;
            for (int k = 0; k < la; k++) s += box[k];
            box_sum = s;
        }
    }
    l->box_sum = box_sum;
    l->box_pos = box_pos;
    l->now = now;
    l->release_gain = rg;
    /* keep the last la samples as the next block's history */
    for (int k = 0; k < la; k++) {
        cl[k] = cl[n + k];
        cr[k] = cr[n + k];
        need[k] = need[n + k];
    }
}

void limiter_process(limiter *l, float *left, float *right, int n) {
    for (int done = 0; done < n; done += LIMITER_BLOCK) {
        int k = n - done < LIMITER_BLOCK ? n - done : LIMITER_BLOCK;
        process_block(l, left + done, right + done, k);
    }
}
