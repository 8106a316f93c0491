/* ott.h — 3-band "OTT" upward/downward compressor.
 *
 * Bands: Linkwitz-Riley 4th-order crossovers at 100 Hz and 2.5 kHz, each LR4 section built from
 * two cascaded Butterworth TPT SVFs (Q = 1/√2). The low band also passes the 2.5 kHz allpass
 * (LR4 LP + HP = 2nd-order Butterworth allpass), so low + mid + high is an allpass: flat
 * magnitude. Per band, a peak envelope (attack/release 10/100, 5/75, 1/50 ms) drives a gain
 * computer in dB: above −20 dB downward with ratio R_down (10 kick, 8 master), below −40 dB upward
 * with ratios 3/4/5 (capped at +30 dB so noise floors are not pulled up without bound). The
 * band gain is amount × (compression + band EQ + 18 dB makeup). Stereo detection is linked
 * (max of |L|, |R|) so the image does not wander. Gains are computed every OTT_GAIN_INTERVAL
 * samples (on absolute sample counts, so any block size gives the same output) and ramp
 * linearly across the following interval. amount 0 is an exact passthrough: the unit fades itself
 * out over 10 ms and is then bypassed (the crossover's allpass phase would otherwise remain).
 */
#ifndef KWR_OTT_H
#define KWR_OTT_H

#include "smooth.h"
#include "svf.h"

#define OTT_BANDS 3
#define OTT_MAX_BLOCK 128
#define OTT_GAIN_INTERVAL 8
#define OTT_DOWN_THRESHOLD_DB (-20.0f)
#define OTT_UP_THRESHOLD_DB (-40.0f)
#define OTT_UP_MAX_DB 30.0f
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
    float gain[OTT_BANDS];      /* current linear gain per band */
    float gain_step[OTT_BANDS]; /* per-sample increment toward the gain of the next interval */
    svf_coefs c100, c2500;
    /* the crossover's sections, four filters per vector:
     * a = 100 Hz first section [L, R, –, –]; b = 100 Hz second sections [LP L, LP R, HP L, HP R];
     * ce = 2.5 kHz first section and the low band's 2.5 kHz allpass [L, R, AP L, AP R];
     * d = 2.5 kHz second sections [LP L, LP R, HP L, HP R] */
    ott_svf4 a, b, ce, d;
    ramp amount;
    ramp active;
    int phase; /* samples into the current gain interval */
    float band[2][OTT_BANDS][OTT_MAX_BLOCK];
    float detect[OTT_BANDS][OTT_MAX_BLOCK]; /* linked peak per band, then the wet sum */
    float gains[OTT_BANDS][OTT_MAX_BLOCK];  /* band gain per sample */
} ott;

void ott_init(ott *o, ott_variant variant, float sample_rate);
void ott_reset(ott *o);
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
