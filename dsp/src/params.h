/* params.h — engine parameter ids. They equal Control.engine_id in presets/sound_contract.py
 * (dsp/tests/test_contract.py parses this table and compares ids, ranges and Init values). */
#ifndef KWR_PARAMS_H
#define KWR_PARAMS_H

typedef enum {
    KWR_PARAM_BPM = 0,
    KWR_PARAM_KICK_LEN = 1,
    KWR_PARAM_KICK_DIST_AMT = 2,
    KWR_PARAM_KICK_OTT_AMT = 3,
    KWR_PARAM_KICK_TUNE = 4,
    KWR_PARAM_NOISE_LOW_PASS_FREQ = 5,
    KWR_PARAM_NOISE_HIGH_PASS_FREQ = 6,
    KWR_PARAM_NOISE_VOLUME = 7,
    KWR_PARAM_REVERB_LOW_PASS_FREQ = 8,
    KWR_PARAM_REVERB_HIGH_PASS_FREQ = 9,
    KWR_PARAM_REVERB_VOLUME = 10,
    KWR_PARAM_MASTER_OTT_AMT = 11,
    KWR_PARAM_MASTER_DIST_AMT = 12,
    KWR_PARAM_MASTER_LIMITER_AMT = 13,
    KWR_PARAM_COUNT = 14
} kwr_param;

/* {minimum, maximum, init} per id, in id order. */
#define KWR_PARAM_TABLE \
    {60.0f, 365.0f, 140.0f},   /* bpm, BPM */ \
    {0.1f, 1.0f, 1.0f},        /* kick_len, fraction of the sample */ \
    {0.0f, 0.5f, 0.0f},        /* kick_dist_amt, wet */ \
    {0.0f, 1.0f, 0.0f},        /* kick_ott_amt */ \
    {-12.0f, 12.0f, 0.0f},     /* kick_tune, semitones */ \
    {30.0f, 7000.0f, 7000.0f}, /* noise_low_pass_freq, Hz */ \
    {30.0f, 7000.0f, 30.0f},   /* noise_high_pass_freq, Hz */ \
    {-70.0f, -6.0f, -70.0f},   /* noise_volume, dB */ \
    {30.0f, 7000.0f, 7000.0f}, /* reverb_low_pass_freq, Hz */ \
    {30.0f, 7000.0f, 30.0f},   /* reverb_high_pass_freq, Hz */ \
    {-60.0f, 0.0f, -6.0f},     /* reverb_volume, dB */ \
    {0.0f, 1.0f, 0.0f},        /* master_ott_amt */ \
    {0.0f, 0.5f, 0.0f},        /* master_dist_amt, wet */ \
    {1.0f, 8.0f, 1.5f},        /* master_limiter_amt, pre-gain factor */

#endif
