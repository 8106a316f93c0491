/* player.h — multi-sample player for the kick (one-shot) and the noise bed (looping).
 *
 * Playback is resampled: step = sample_rate_of_sample / engine_rate × 2^(tune/12), so the kick
 * can be tuned −12…+12 semitones with cent resolution and samples at 44.1 kHz play correctly
 * at 48 kHz. Fractional positions use a 16-tap Blackman-windowed sinc (Smith, "Digital Audio
 * Resampling", polyphase table with 128 phases and linear interpolation between phases); the
 * cutoff follows min(1, 1/step) so pitching up does not alias. A step of exactly 1 reads the
 * sample directly (bit-exact playback).
 *
 * Two voices per player: a retrigger fades the old voice out (choke) while the new one starts,
 * stop/release fades over 0.1 s. One-shot voices end at length × frames with a 512-sample
 * linear fade ending exactly at the cut point.
 */
#ifndef KWR_PLAYER_H
#define KWR_PLAYER_H

#include "dsp_math.h"

#define PLAYER_TAPS 16
#define PLAYER_PHASES 128
#define PLAYER_CUT_FADE 512
#define PLAYER_RELEASE_SECONDS 0.1f
#define PLAYER_TABLES 3

typedef struct {
    const float *ch[2];
    int channels; /* 1 or 2 */
    int frames;
    float sample_rate;
} sample_buf;

typedef struct {
    float cutoff; /* normalised to the source Nyquist; 0 = not built */
    float taps[PLAYER_PHASES][PLAYER_TAPS];  /* at phase ph / PLAYER_PHASES */
    float delta[PLAYER_PHASES][PLAYER_TAPS]; /* taps of phase ph + 1 minus those of ph */
} sinc_table;

typedef struct {
    const sample_buf *s;
    const sinc_table *table; /* NULL when step == 1 */
    double pos;              /* source frames */
    double step;
    float amp, amp_step;     /* envelope; amp_step < 0 while fading out */
    int active;
} voice;

typedef struct {
    float sample_rate;
    int looping;
    float length;       /* 0.1–1.0 of the sample (one-shot only) */
    float tune;         /* semitones */
    float choke_step;   /* per-sample amp decrement when a retrigger chokes the old voice */
    float attack_step;  /* per-sample amp increment at a start (noise only; kicks start at 1) */
    float release_step; /* per-sample amp decrement on release (0.1 s) */
    const sample_buf *selected;
    voice v[2];
    sinc_table tables[PLAYER_TABLES];
} player;

/* looping: noise bed (loops, fades in 10 ms); one-shot: kick (length cut, starts at full level). */
void player_init(player *p, float sample_rate, int looping);
void player_reset(player *p);
/* The sample the next trigger plays (NULL = none). Voices already playing keep their sample. */
void player_select(player *p, const sample_buf *s);
/* 0.1–1.0; NaN keeps the current value. */
void player_set_length(player *p, float length);
/* −12…+12 semitones; NaN keeps the current value. Applies from the next trigger. */
void player_set_tune(player *p, float semitones);
/* Step a trigger would use now (1.0 = unresampled). */
double player_step(const player *p, const sample_buf *s);
void player_trigger(player *p);
void player_release(player *p);
/* Silences at once every voice playing `s` (the sample is about to be freed). */
void player_forget(player *p, const sample_buf *s);
int player_active(const player *p);
/* Overwrites out_left (and out_right; NULL = mono mix) with n samples. */
void player_process(player *p, float *out_left, float *out_right, int n);

#endif
