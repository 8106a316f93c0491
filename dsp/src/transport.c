/* transport.c — see transport.h. */
#include "transport.h"
#include "dsp_math.h"

void transport_init(transport *t, float sample_rate) {
    t->sample_rate = sample_rate;
    t->now = 0;
    t->playing = 0;
    t->anchor = 0.0;
    t->beat = 0;
    t->fired = 0;
    t->bpm = 0.0f;
    transport_set_bpm(t, 140.0f);
}

static long long beat_time(const transport *t, long long b) {
    double when = t->anchor + (double)b * t->spb;
    double c = -kwr_floor(-when); /* ceil */
    long long s = (long long)c;
    return s < t->now ? t->now : s;
}

void transport_set_bpm(transport *t, float bpm) {
    if (bpm != bpm) return;
    bpm = kwr_clamp_param(bpm, 60.0f, 365.0f, 140.0f);
    if (bpm == t->bpm) return;
    double spb = 60.0 * t->sample_rate / (double)bpm;
    if (t->playing && t->beat > 0) {
        double last = t->anchor + (double)(t->beat - 1) * t->spb;
        t->anchor = last - (double)(t->beat - 1) * spb;
    }
    t->bpm = bpm;
    t->spb = spb;
}

void transport_play(transport *t) {
    t->playing = 1;
    t->anchor = (double)t->now;
    t->beat = 0;
    t->fired = 0;
}

void transport_stop(transport *t) { t->playing = 0; }

int transport_until_beat(const transport *t, int limit) {
    if (!t->playing) return limit;
    long long d = beat_time(t, t->beat) - t->now;
    return d < (long long)limit ? (int)d : limit;
}

void transport_advance(transport *t, int n) { t->now += n; }

long long transport_fire(transport *t) {
    double due = t->anchor + (double)t->beat * t->spb;
    if (-kwr_floor(-due) < (double)t->now) {
        /* late after a tempo jump: this beat is now, the grid continues from here */
        t->anchor = (double)t->now - (double)t->beat * t->spb;
    }
    t->beat++;
    return t->fired++;
}
