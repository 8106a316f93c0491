/* engine.h — the Kick With Reverb engine: every unit of DESIGN.md's signal flow wired together,
 * plus the sample slots, parameters, transport and meters behind the C ABI (engine.c's
 * exports, documented in dsp/README.md).
 */
#ifndef KWR_ENGINE_H
#define KWR_ENGINE_H

#include "arena.h"
#include "conv.h"
#include "limiter.h"
#include "ott.h"
#include "params.h"
#include "pitch.h"
#include "player.h"
#include "shaper.h"
#include "smooth.h"
#include "svf.h"
#include "transport.h"

#define KWR_BLOCK 128
#define KWR_MAX_KICKS 64
#define KWR_MAX_NOISES 16
#define KWR_MAX_IRS 32
#define KWR_NOISE_CYCLE_BEATS 16
/* The reverb bus mixes the dry send with the convolution, 70/30, as the reference's shipped
 * engine does (its stereo convolution's default mix, never changed there). */
#define KWR_REVERB_DRY 0.7f
#define KWR_REVERB_WET 0.3f

typedef enum { KWR_KIND_KICK = 0, KWR_KIND_NOISE = 1, KWR_KIND_IR = 2 } kwr_kind;

typedef enum {
    KWR_OK = 0,
    KWR_ERR_BAD_KIND = -1,
    KWR_ERR_BAD_SLOT = -2,
    KWR_ERR_BAD_SAMPLE = -3,
    KWR_ERR_NO_MEMORY = -4,
    KWR_ERR_EMPTY_SLOT = -5,
    KWR_ERR_BAD_PARAM = -6
} kwr_status;

typedef struct {
    sample_buf buf;
    void *data; /* arena block owning buf's channels */
    float pitch_hz;
    int used;
} kwr_sample_slot;

typedef struct {
    conv_ir ir;
    int used;
} kwr_ir_slot;

typedef struct {
    float sample_rate;
    arena mem;
    float params[KWR_PARAM_COUNT];
    kwr_sample_slot kicks[KWR_MAX_KICKS];
    kwr_sample_slot noises[KWR_MAX_NOISES];
    kwr_ir_slot irs[KWR_MAX_IRS];
    int sel_kick, sel_noise, sel_ir;
    int pending_noise; /* slot waiting for the next beat, -1 none */
    long long cycle_origin;
    int cue_held;
    transport clock;
    player kick, noise;
    shaper kick_shaper, master_shaper;
    ott kick_ott, master_ott;
    svf_pair noise_filter, reverb_filter;
    convolver reverb;
    limiter lim;
    ramp noise_gain, reverb_gain;
    ramp reverb_dry; /* KWR_REVERB_DRY while an IR is selected, else 0 */
    float meter_peak;
    double meter_sum;
    long long meter_count;
    float meter_out[2];
    float pitch_scratch[PITCH_MAX_TAU + 1];
    float kick_buf[KWR_BLOCK];
    float noise_l[KWR_BLOCK], noise_r[KWR_BLOCK];
    float send[KWR_BLOCK];
    float rev_l[KWR_BLOCK], rev_r[KWR_BLOCK];
    float mix_l[KWR_BLOCK], mix_r[KWR_BLOCK];
    float gain_buf[KWR_BLOCK];
    float dry_buf[KWR_BLOCK];
} kwr_engine;

#endif
