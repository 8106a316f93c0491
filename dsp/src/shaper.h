/* shaper.h — the kick/master waveshaper y = tanh(6x) + 0.1x², blended wet/dry:
 * out = x + wet·(y − x), wet 0–0.5 ramped over 10 ms; wet 0 is an exact passthrough.
 * The even term adds 2nd harmonic warmth (and a little DC, which the limiter and reverb
 * high-pass tolerate; the formula is the product's sound, so it is kept exactly).
 */
#ifndef KWR_SHAPER_H
#define KWR_SHAPER_H

#include "smooth.h"

#define SHAPER_MAX_WET 0.5f

typedef struct {
    ramp wet;
} shaper;

void shaper_init(shaper *s, float sample_rate);
void shaper_reset(shaper *s);
/* wet 0–0.5; NaN keeps the current value */
void shaper_set_wet(shaper *s, float wet);
KWR_INLINE float shaper_curve(float x) { return kwr_tanhf(6.0f * x) + 0.1f * x * x; }
/* In place; right may be NULL for mono. */
void shaper_process(shaper *s, float *left, float *right, int n);

#endif
