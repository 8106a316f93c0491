/* limiter.h — stereo-linked look-ahead peak limiter with a hard 0 dBFS ceiling.
 *
 * Signalsmith's construction ("Designing a straightforward limiter", 2022): the gain each sample
 * needs (ceiling / |x|, ≤ 1) goes through a sliding minimum over the look-ahead window
 * (van Herk / Gil-Werman: segment prefix and suffix minima, three passes per block, exact), then exponential release (10–50 ms, instant attack), then a
 * box average of the same length. The box average of a signal that already stays at or below
 * the needed gain for the whole window reaches that gain by the time the peak leaves the delay
 * line, so the gain is smooth and still catches every peak. A final clamp to ±1 guards against
 * float rounding: no sample above 1.0 ever leaves.
 *
 * The master pre-gain (1–8, ramped) is applied at the limiter's input.
 */
#ifndef KWR_LIMITER_H
#define KWR_LIMITER_H

#include "smooth.h"

#define LIMITER_LOOKAHEAD_MAX 128
#define LIMITER_CEILING 1.0f

#define LIMITER_BLOCK 128

typedef struct {
    float sample_rate;
    int lookahead;
    float release_coef;
    float release_gain;
    ramp pregain;
    unsigned now; /* sample counter (wraps harmlessly) */
    /* look-ahead history followed by the current block: audio (two channels) and needed gain */
    float cat_l[LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK];
    float cat_r[LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK];
    float cat_need[LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK];
    float prefix[LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK];
    float suffix[LIMITER_LOOKAHEAD_MAX + LIMITER_BLOCK];
    /* box average */
    float box[LIMITER_LOOKAHEAD_MAX];
    double box_sum;
    int box_pos;
} limiter;

void limiter_init(limiter *l, float sample_rate);
void limiter_reset(limiter *l);
/* Pre-gain 1–8 (linear factor); NaN keeps the current value. */
void limiter_set_pregain(limiter *l, float gain);
/* Release 10–50 ms. */
void limiter_set_release_ms(limiter *l, float ms);
/* In place on two channels; output is within [-1, 1] and never NaN. */
void limiter_process(limiter *l, float *left, float *right, int n);
/* Look-ahead delay in samples. */
int limiter_latency(const limiter *l);

#endif
