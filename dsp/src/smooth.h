/* smooth.h — linear parameter ramps (stmlib's ParameterInterpolator idea): a new target is
 * reached in a fixed time by equal steps, so a knob move never clicks and a ramp always ends
 * exactly on the target (exact passthrough once a wet amount reaches 0).
 */
#ifndef KWR_SMOOTH_H
#define KWR_SMOOTH_H

#include "dsp_math.h"

typedef struct {
    float value, target, step;
    int remaining;
    int ramp_samples;
} ramp;

KWR_INLINE void ramp_init(ramp *r, float value, float seconds, float sample_rate) {
    r->value = r->target = value;
    r->step = 0.0f;
    r->remaining = 0;
    r->ramp_samples = (int)(seconds * sample_rate);
    if (r->ramp_samples < 1) r->ramp_samples = 1;
}

KWR_INLINE void ramp_set(ramp *r, float target) {
    if (target == r->target) return;
    r->target = target;
    r->remaining = r->ramp_samples;
    r->step = (target - r->value) / (float)r->ramp_samples;
}

KWR_INLINE void ramp_snap(ramp *r) {
    r->value = r->target;
    r->remaining = 0;
    r->step = 0.0f;
}

KWR_INLINE int ramp_moving(const ramp *r) { return r->remaining > 0; }

KWR_INLINE float ramp_next(ramp *r) {
    if (r->remaining > 0) {
        if (--r->remaining == 0) r->value = r->target;
        else r->value += r->step;
    }
    return r->value;
}

/* n successive values of the ramp into out (a constant fill once it has settled). */
KWR_INLINE void ramp_fill(ramp *r, float *out, int n) {
    int i = 0;
    while (i < n && r->remaining > 0) out[i++] = ramp_next(r);
    const float v = r->value;
    for (; i < n; i++) out[i] = v;
}

#endif
