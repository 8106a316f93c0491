/* shaper.c — see shaper.h. */
#include "shaper.h"

void shaper_init(shaper *s, float sample_rate) { ramp_init(&s->wet, 0.0f, 0.01f, sample_rate); }

void shaper_reset(shaper *s) { ramp_snap(&s->wet); }

void shaper_set_wet(shaper *s, float wet) {
    if (wet != wet) return;
    ramp_set(&s->wet, kwr_clamp_param(wet, 0.0f, SHAPER_MAX_WET, 0.0f));
}

void shaper_process(shaper *s, float *left, float *right, int n) {
    if (!ramp_moving(&s->wet)) {
        float w = s->wet.value;
        if (w == 0.0f) return;
        for (int i = 0; i < n; i++) {
            float x = left[i];
            left[i] = x + w * (shaper_curve(x) - x);
        }
        if (right) {
            for (int i = 0; i < n; i++) {
                float x = right[i];
                right[i] = x + w * (shaper_curve(x) - x);
            }
        }
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
