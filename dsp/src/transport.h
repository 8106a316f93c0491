/* transport.h — sample-accurate beat clock.
 *
 * Beat b fires on the first sample at or after anchor + b·(60·fs/bpm), computed in double from
 * the beat index (no accumulated rounding), so triggers land on exact sample positions inside a
 * block of any size. A tempo change re-anchors on the last fired beat: the next beat comes one
 * new beat length after it (or at once if that moment has already passed).
 */
#ifndef KWR_TRANSPORT_H
#define KWR_TRANSPORT_H

typedef struct {
    double sample_rate;
    float bpm;
    double spb;     /* samples per beat */
    double anchor;  /* time of beat 0 of the current anchoring, in samples */
    long long beat; /* index (since anchor) of the next beat to fire */
    long long fired;/* beats fired since play, the musical beat counter */
    long long now;  /* current sample time */
    int playing;
} transport;

void transport_init(transport *t, float sample_rate);
/* 60–365 BPM; NaN keeps the current tempo. */
void transport_set_bpm(transport *t, float bpm);
/* Starts the loop: the first beat fires on the current sample. */
void transport_play(transport *t);
void transport_stop(transport *t);
/* Samples from now until the next beat, or `limit` if none comes within it. */
int transport_until_beat(const transport *t, int limit);
/* Moves time forward by n samples (never across a beat: call transport_fire first). */
void transport_advance(transport *t, int n);
/* Fires the beat due now; returns its musical index (0, 1, 2 …). */
long long transport_fire(transport *t);

#endif
