/* limiter.h — the master loudness stage: pre-gain, a two-stage compressor with fixed makeup
 * gain (the gain structure of JUCE's juce::dsp::Limiter, which the reference product ships),
 * and a soft clip into (−1, 1) in place of JUCE's hard clip.
 *
 * JUCE's limiter (modules/juce_dsp/widgets/juce_Limiter.cpp, Compressor.cpp,
 * BallisticsFilter.cpp), per channel, with the reference's settings (threshold 0 dB, release
 * 10 ms):
 *   stage 1: peak envelope (attack 2 ms, release 200 ms), 4:1 above −10 dBFS;
 *   stage 2: peak envelope (attack 0.001 ms = instant, release 10 ms), 1000:1 above 0 dBFS;
 *   makeup: 10^(10·(1 − 1/4)/40) = +3.75 dB; then a hard clip at ±1.
 * A BallisticsFilter time t ms is the one-pole coefficient exp(−2π·1000 / (fs·t)), i.e. a time
 * constant of t/2π, and the compressor's gain is (env/threshold)^(1/ratio − 1) at or above the
 * threshold. Stage 2 holds its output near 0 dBFS, so the makeup lifts peaks to about +3.75 dBFS
 * and JUCE's clip cuts them off: that clipping is a large part of the reference's loudness.
 *
 * Here the same two stages and the same makeup feed a soft clip instead: identity below
 * SOFTCLIP_KNEE, then knee + (1 − knee)·tanh((v − knee)/(1 − knee)), which has slope 1 at the
 * knee and stays below 1 for every input. Stage 2 keeps v under about 1.54, where the curve is
 * still below 0.999, so the ceiling is reached by limiting and rounding, never by truncation,
 * and the loudness stays within a fraction of a LU of the hard-clipped original. No look-ahead:
 * the stage adds no delay.
 */
#ifndef KWR_LIMITER_H
#define KWR_LIMITER_H

#include "smooth.h"

#define LIMITER_BLOCK 128
#define LIMITER_STAGE1_THRESHOLD_DB (-10.0f)
#define LIMITER_STAGE1_RATIO 4.0f
#define LIMITER_STAGE1_ATTACK_MS 2.0f
#define LIMITER_STAGE1_RELEASE_MS 200.0f
#define LIMITER_STAGE2_THRESHOLD 1.0f /* 0 dBFS */
#define LIMITER_STAGE2_RATIO 1000.0f
#define LIMITER_STAGE2_RELEASE_MS 10.0f
/* 10·(1 − 1/4)/40 decades above the 0 dB threshold: +3.75 dB */
#define LIMITER_MAKEUP_DB 3.75f
#define SOFTCLIP_KNEE 0.7f

typedef struct {
    float sample_rate;
    float att1, rel1, rel2; /* one-pole coefficients; stage 2's attack is instant */
    float threshold1, makeup;
    float env1[2], env2[2];
    ramp pregain;
    /* the block's audio and envelopes per channel, padded to whole vectors */
    float x[2][LIMITER_BLOCK];
    float env[2][LIMITER_BLOCK];
    float gain[LIMITER_BLOCK];
} limiter;

void limiter_init(limiter *l, float sample_rate);
/* Clears the envelopes and jumps the pre-gain to its target. */
void limiter_reset(limiter *l);
/* Jumps the pre-gain to its target, state untouched. */
void limiter_snap(limiter *l);
/* Pre-gain 1–8 (linear factor, ramped over 20 ms); NaN keeps the current value. */
void limiter_set_pregain(limiter *l, float gain);
/* In place on two channels; the output is within (−1, 1) and never NaN. */
void limiter_process(limiter *l, float *left, float *right, int n);
/* The soft clip alone (odd, monotone, slope 1 below the knee, |y| < 1); for tests. */
float limiter_softclip(float v);

#endif
