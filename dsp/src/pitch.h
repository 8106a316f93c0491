/* pitch.h — tail pitch of a kick by YIN (de Cheveigné & Kawahara, JASA 111(4), 2002).
 *
 * A kick's pitch sweep settles after ~100 ms; the tail's fundamental is the note a producer
 * tunes to the track's key. YIN runs on a window starting 100 ms in: difference function,
 * cumulative-mean normalisation, absolute threshold 0.15 (first dip below it, else the global
 * minimum), parabolic interpolation. Search range 25–250 Hz.
 */
#ifndef KWR_PITCH_H
#define KWR_PITCH_H

#define PITCH_MAX_TAU 8192

/* Hz, or 0 when the tail is too short or silent. scratch: PITCH_MAX_TAU + 1 floats. */
float pitch_detect_tail(const float *x, int frames, float sample_rate, float *scratch);

#endif
