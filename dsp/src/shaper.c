/* shaper.c — see shaper.h. */
#include "shaper.h"

void shaper_init(shaper *s, float sample_rate) { ramp_init(&s->wet, 0.0f, 0.01f, sample_rate); }

void shaper_reset(shaper *s) { ramp_snap(&s->wet); }

void shaper_set_wet(shaper *s, float wet) {
    if (wet != wet) return;
    ramp_set(&s->wet, kwr_clamp_param(wet, 0.0f, SHAPER_MAX_WET, 0.0f));
}

/* Fixed wet amount: four samples per vector, the scalar curve for the tail (same arithmetic). */
static void shaper_run(float *x, float w, int n) {
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        kwr_f4 v = *(kwr_f4u *)(x + i);
        kwr_f4 y = kwr_tanh4(6.0f * v) + 0.1f * v * v;
        *(kwr_f4u *)(x + i) = v + w * (y - v);
    }
    for (; i < n; i++) x[i] = x[i] + w * (shaper_curve(x[i]) - x[i]);
}

void shaper_process(shaper *s, float *left, float *right, int n) {
    if (!ramp_moving(&s->wet)) {
        float w = s->wet.value;
        if (w == 0.0f) return;
        shaper_run(left, w, n);
        if (right) shaper_run(right, w, n);
        return;
    }
    for (int i = 0; i < n; i++) {
        float w = ramp_next(&s->wet);
        float x = left[i];
        left[i] = x + w * (shaper_curve(x) - x);
        if (right) {
            x = right[i];
            right[i] = x + w * (shaper_curve(x) - x);
        }
    }
}
