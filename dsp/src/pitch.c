/* pitch.c — see pitch.h. */
#include "pitch.h"
#include "dsp_math.h"

#define PITCH_MIN_HZ 25.0f
#define PITCH_MAX_HZ 250.0f
#define PITCH_THRESHOLD 0.15f

float pitch_detect_tail(const float *x, int frames, float sample_rate, float *d) {
    int start = (int)(0.1f * sample_rate);
    int tau_max = (int)(sample_rate / PITCH_MIN_HZ);
    int tau_min = (int)(sample_rate / PITCH_MAX_HZ);
    if (tau_max > PITCH_MAX_TAU) tau_max = PITCH_MAX_TAU;
    int window = (int)(0.1f * sample_rate);
    if (start + window + tau_max > frames) window = frames - start - tau_max;
    if (window < tau_max) return 0.0f;
    const float *s = x + start;
    double energy = 0.0;
    for (int j = 0; j < window; j++) energy += (double)s[j] * s[j];
    if (!(energy > 1e-10 * window)) return 0.0f;
    d[0] = 0.0f;
    for (int tau = 1; tau <= tau_max; tau++) {
        float acc = 0.0f;
        for (int j = 0; j < window; j++) {
            float diff = s[j] - s[j + tau];
            acc += diff * diff;
        }
        d[tau] = acc;
    }
    /* cumulative mean normalised difference, in place from tau = 1 */
    double running = 0.0;
    float best = 1e30f;
    int best_tau = -1, found = -1;
    float *cm = d; /* normalised in place: interpolation uses the normalised curve */
    for (int tau = 1; tau <= tau_max; tau++) {
        running += d[tau];
        float v = running > 0.0 ? (float)((double)d[tau] * tau / running) : 1.0f;
        cm[tau] = v;
    }
    for (int tau = tau_min; tau <= tau_max; tau++) {
        if (cm[tau] < PITCH_THRESHOLD) {
            while (tau + 1 <= tau_max && cm[tau + 1] < cm[tau]) tau++;
            found = tau;
            break;
        }
        if (cm[tau] < best) {
            best = cm[tau];
            best_tau = tau;
        }
    }
    int tau = found >= 0 ? found : best_tau;
    if (tau < 1) return 0.0f;
    float shift = 0.0f;
    if (tau > 1 && tau < tau_max) {
        float a = cm[tau - 1], b = cm[tau], c = cm[tau + 1];
        float den = a - 2.0f * b + c;
        if (den > 0.0f) shift = 0.5f * (a - c) / den;
        if (shift > 0.5f) shift = 0.5f;
        if (shift < -0.5f) shift = -0.5f;
    }
    return sample_rate / ((float)tau + shift);
}
