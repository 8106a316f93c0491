/* conv.h — zero-latency stereo convolution reverb with non-uniform partitions.
 *
 * Gardner, "Efficient convolution without input-output delay" (JAES 43(3), 1995), in the
 * multi-level uniformly-partitioned form (Garcia, AES 2002; Wefers, "Partitioned convolution
 * algorithms for real-time auralization", 2015): the first CONV_HEAD taps run as a direct-form
 * FIR (no latency), then levels of overlap-save FFT partitions whose block size grows 8× per
 * level: 64 → 512 → 4096 → 16384 samples. A level with block N may start at IR offset s >= N
 * and still meet its deadline when its FFT runs at the block boundary, so the whole chain adds
 * no delay. Each level keeps a frequency-domain delay line (FDL) of past input spectra; outputs
 * are summed into a ring indexed by absolute time.
 *
 * Input is the mono reverb send; a stereo IR gives two outputs from the same input spectra, a
 * mono IR gives one output used on both sides.
 *
 * Real-time load: a level's partition sum for its next output block only needs past spectra, so
 * for the two large levels it is built 64 bins at a time at every 64-sample boundary of the
 * block period; at the boundary itself only the newest partition and the FFTs remain.
 *
 * Memory layout: the FDL entries and IR partitions of a level are stored slice-major: for each
 * CONV_SLICE-bin slice of the spectrum, every entry's real then imaginary parts in turn. A
 * presum slice then reads one contiguous run of IR spectra per channel and one (wrapping) run of
 * input spectra, instead of a short piece of each of 4·P separate arrays; the partition sums run
 * slice by slice for both channels at once, so each input spectrum load serves both IRs. Every
 * bin's sum keeps its partition order, so the output does not depend on the layout.
 *
 * IR switching: the FDL is IR-independent, so a new IR can be convolved with the full input
 * history at once: on switch, the pending outputs of the last firings are recomputed with the
 * new IR ("catch-up") into a second ring, and the two are crossfaded (equal power, 50 ms). The
 * result after the fade is exactly the convolution of the whole past input with the new IR.
 */
#ifndef KWR_CONV_H
#define KWR_CONV_H

#include "arena.h"
#include "fft.h"

#define CONV_HEAD 64
#define CONV_LEVELS 4
#define CONV_SLICE 64 /* bins per slice of the spectrum layout and of a presum step */
#define CONV_MAX_SECONDS 6.0f
#define CONV_XFADE_SECONDS 0.05f

typedef struct {
    int frames;
    int channels; /* 1 or 2 */
    int parts[CONV_LEVELS];
    float *head[2];                   /* CONV_HEAD taps, time-reversed */
    float *spec[CONV_LEVELS][2];      /* parts × N bins, pre-scaled by 1/(2N), slice-major */
    void *block;                      /* the one arena allocation holding all of the above */
} conv_ir;

typedef struct {
    float sample_rate;
    int max_frames;
    fft_plan plan[CONV_LEVELS];
    int fdl_len[CONV_LEVELS];
    int fdl_head[CONV_LEVELS];
    int fdl_valid[CONV_LEVELS];
    float *fdl[CONV_LEVELS]; /* fdl_len × N bins, slice-major */
    float *hist;
    int hist_mask;
    float fir_buf[2 * CONV_HEAD];
    float *ring[2][2]; /* [voice][channel] */
    int ring_mask;
    const conv_ir *ir[2]; /* 0: current, 1: incoming during a crossfade */
    int xfade_pos, xfade_len;
    long long t; /* samples consumed since init */
    float *time, *zr, *zi, *acc_re[2], *acc_im[2];
    /* large levels spread their partition sums over the block period: the sum over partitions
     * 1 … P−1 for the next firing is built 64 bins per 64 samples ([level][voice][ch]) */
    float *pre_re[CONV_LEVELS][2][2], *pre_im[CONV_LEVELS][2][2];
} convolver;

/* Allocates all state from the arena; returns 0, or -1 when the arena is too small. */
int conv_init(convolver *c, float sample_rate, arena *a);
void conv_reset(convolver *c);
/* Prepares an IR (first CONV_MAX_SECONDS of it) for this convolver. Returns 0 or -1 (no memory). */
int conv_ir_prepare(convolver *c, conv_ir *ir, arena *a, const float *left, const float *right,
                    int frames);
void conv_ir_release(conv_ir *ir, arena *a);
/* Switches to `ir` (NULL = silence) with a crossfade. Not for the audio thread's process call. */
void conv_set_ir(convolver *c, const conv_ir *ir);
/* Drops `ir` at once from both voices (before it is released). */
void conv_forget(convolver *c, const conv_ir *ir);
/* Mono input → stereo output (overwrites outL/outR), any n. */
void conv_process(convolver *c, const float *in, float *out_left, float *out_right, int n);

#endif
