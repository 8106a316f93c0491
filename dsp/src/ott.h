/* ott.h — 3-band "OTT" upward/downward compressor.
 *
 * Bands: Linkwitz-Riley 4th-order crossovers at 100 Hz and 2.5 kHz, each LR4 section built from
 * two cascaded Butterworth TPT SVFs (Q = 1/√2). The low band also passes the 2.5 kHz allpass
 * (LR4 LP + HP = 2nd-order Butterworth allpass), so low + mid + high is an allpass: flat
 * magnitude. Per band, a peak envelope (attack/release 10/100, 5/75, 1/50 ms) drives a gain
 * computer in dB, the law of the reference product's OTT: the amount a (0–1) interpolates the
 * ratios, r = 1 + a·(R − 1), with R_down = 11 (kick) or 9 (master) above −20 dB and R_up = 3/4/5
 * below −40 dB, gain = (1 − 1/r)·(threshold − level), upward gain uncapped (the envelope is
 * floored at −120 dB as the reference does, so at most +64 dB); then band EQ +9/−3/0 (kick) or
 * +3/−3/0 dB (master) and 18 dB makeup, both × a. At a = 0 every ratio is 1 and every gain 0 dB:
 * the bands sum back to the crossover's allpass, which stays in the path as in the reference
 * (no bypass, so moving the amount from 0 never switches the phase of the signal).
 * Stereo detection is linked (max of |L|, |R|) so the image does not wander. The gain follows
 * the envelope sample by sample, as the reference's does: with up to +82 dB on a quiet band
 * (upward gain plus makeup), any lag between a transient and its gain reduction would let the
 * transient through at that gain. The amount itself ramps over 20 ms.
 */
#ifndef KWR_OTT_H
#define KWR_OTT_H

#include "smooth.h"
#include "svf.h"

#define OTT_BANDS 3
#define OTT_MAX_BLOCK 128
#define OTT_DOWN_THRESHOLD_DB (-20.0f)
#define OTT_UP_THRESHOLD_DB (-40.0f)
#define OTT_ENV_FLOOR_DB (-120.0f)
#define OTT_MAKEUP_DB 18.0f

typedef enum { OTT_KICK = 0, OTT_MASTER = 1 } ott_variant;

/* SVF states of four filters side by side, one per lane. */
typedef struct {
    kwr_f4 ic1, ic2;
} ott_svf4;

typedef struct {
    float sample_rate;
    float down_ratio;
    float eq_db[OTT_BANDS];
    float up_ratio[OTT_BANDS];
    float attack[OTT_BANDS], release[OTT_BANDS]; /* one-pole coefficients */
    float env[OTT_BANDS];
    svf_coefs c100, c2500;
    /* the crossover's sections, four filters per vector:
     * a = 100 Hz first section [L, R, –, –]; b = 100 Hz second sections [LP L, LP R, HP L, HP R];
     * ce = 2.5 kHz first section and the low band's 2.5 kHz allpass [L, R, AP L, AP R];
     * d = 2.5 kHz second sections [LP L, LP R, HP L, HP R] */
    ott_svf4 a, b, ce, d;
    ramp amount;
    float band[2][OTT_BANDS][OTT_MAX_BLOCK];
    float env_buf[OTT_BANDS][OTT_MAX_BLOCK]; /* per band, the envelope of its linked peak */
    float amounts[OTT_MAX_BLOCK];
} ott;

void ott_init(ott *o, ott_variant variant, float sample_rate);
void ott_reset(ott *o);
/* Jumps the amount to its target, state untouched. */
void ott_snap(ott *o);
/* amount 0–1; NaN keeps the current value */
void ott_set_amount(ott *o, float amount);
/* The gain computer alone (dB in → dB of gain out) for a band at a given amount; used by tests. */
float ott_gain_db(const ott *o, int band, float level_db, float amount);
/* In place, n <= OTT_MAX_BLOCK; right NULL = mono. */
void ott_process(ott *o, float *left, float *right, int n);
/* Splits n mono samples into the three bands with the crossover ott_process
 * uses (crossover only); for tests. */
void ott_split(ott *o, const float *x, float *low, float *mid, float *high, int n);

#endif
