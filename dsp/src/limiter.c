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
    kwr_memset(l->delay, 0, sizeof(l->delay));
    l->delay_pos = 0;
    l->dq_head = 0;
    l->dq_count = 0;
    l->now = 0;
    for (int i = 0; i < LIMITER_LOOKAHEAD_MAX; i++) l->box[i] = 1.0f;
    l->box_sum = (double)l->lookahead;
    l->box_pos = 0;
    l->release_gain = 1.0f;
    l->last_gain = 1.0f;
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

void limiter_process(limiter *l, float *left, float *right, int n) {
    const int la = l->lookahead;
    const int cap = LIMITER_LOOKAHEAD_MAX + 1;
    const double inv_la = 1.0 / (double)la;
    for (int i = 0; i < n; i++) {
        float g_pre = ramp_next(&l->pregain);
        float xl = kwr_sanitize(left[i], 1e4f) * g_pre;
        float xr = kwr_sanitize(right[i], 1e4f) * g_pre;
        float peak = kwr_maxf(kwr_absf(xl), kwr_absf(xr));
        float need = peak > LIMITER_CEILING ? LIMITER_CEILING / peak : 1.0f;
        /* sliding minimum over the last la + 1 samples: with the box of la this covers the peak */
        unsigned now = l->now++;
        while (l->dq_count > 0) {
            int back = l->dq_head + l->dq_count - 1;
            if (back >= cap) back -= cap;
            if (l->dq_gain[back] >= need) l->dq_count--;
            else break;
        }
        {
            int slot = l->dq_head + l->dq_count;
            if (slot >= cap) slot -= cap;
            l->dq_gain[slot] = need;
            l->dq_time[slot] = now;
            l->dq_count++;
        }
        while ((int)(now - l->dq_time[l->dq_head]) > la) {
            if (++l->dq_head == cap) l->dq_head = 0;
            l->dq_count--;
        }
        float held = l->dq_gain[l->dq_head];
        /* instant attack, exponential release */
        float rg = l->release_gain;
        rg = held < rg ? held : rg + l->release_coef * (held - rg);
        l->release_gain = rg;
        /* box average over the look-ahead */
        l->box_sum += (double)rg - (double)l->box[l->box_pos];
        l->box[l->box_pos] = rg;
        l->box_pos = l->box_pos + 1 == la ? 0 : l->box_pos + 1;
        double avg = l->box_sum * inv_la;
        float g = avg >= 1.0 ? 1.0f : (float)avg;
        /* delayed audio */
        int dp = l->delay_pos;
        float dl = l->delay[0][dp], dr = l->delay[1][dp];
        l->delay[0][dp] = xl;
        l->delay[1][dp] = xr;
        l->delay_pos = dp + 1 == la ? 0 : dp + 1;
        float yl = dl * g, yr = dr * g;
        left[i] = yl > 1.0f ? 1.0f : (yl < -1.0f ? -1.0f : yl);
        right[i] = yr > 1.0f ? 1.0f : (yr < -1.0f ? -1.0f : yr);
        l->last_gain = g;
        if ((now & 4095) == 4095) {
            /* re-sum the box now and then (on sample counts, not blocks, so any block size gives
             * the same output) so rounding in the running sum cannot accumulate */
            double s = 0.0;
            for (int k = 0; k < la; k++) s += l->box[k];
            l->box_sum = s;
        }
    }
}
