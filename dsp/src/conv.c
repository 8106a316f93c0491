/* conv.c — see conv.h for the algorithm and its sources. */
#include "conv.h"
#include "dsp_math.h"

static const int LEVEL_N[CONV_LEVELS] = {64, 512, 4096, 16384};
static const int LEVEL_START[CONV_LEVELS] = {64, 512, 4096, 32768};
/* Levels from this one on build their partition sums across the block period (see conv.h);
 * the small levels' sums are cheap enough to compute at their boundary. */
#define SPREAD_FROM 2
#define MAX_N 16384
/* the presum advances whole slices of the spectrum layout at every CONV_HEAD-sample boundary */
_Static_assert(CONV_HEAD % CONV_SLICE == 0, "presum steps are whole slices");

static int next_pow2(int x) {
    int p = 1;
    while (p < x) p <<= 1;
    return p;
}

/* Partitions a level needs to cover an IR of `frames`. */
static int level_parts(int level, int frames) {
    int start = LEVEL_START[level], n = LEVEL_N[level];
    if (frames <= start) return 0;
    int parts = (frames - start + n - 1) / n;
    if (level + 1 < CONV_LEVELS) {
        int cap = (LEVEL_START[level + 1] - start) / n;
        if (parts > cap) parts = cap;
    }
    return parts;
}

/* Earlier firings whose outputs may still be pending: ceil(start / n) − 1. */
static int level_back(int level) { return (LEVEL_START[level] + LEVEL_N[level] - 1) / LEVEL_N[level] - 1; }

/* Slice-major layout (conv.h): slice j of entry e of a level holding `count` entries; its
 * CONV_SLICE real parts come first, the imaginary parts CONV_SLICE floats later. */
static float *slice_at(float *base, int count, int e, int j) {
    return base + ((size_t)j * count + e) * 2 * CONV_SLICE;
}

/* The hot paths copy and clear short runs (spectrum slices, level-0 sums, ring chunks; n a
 * multiple of 4) with vector loops: wasm's memory.copy and memory.fill are calls out of the
 * compiled code in V8, which cost more than the few stores they replace. no_builtin keeps clang
 * from turning these loops back into those calls. */
__attribute__((no_builtin("memcpy"))) static void copy_floats(float *__restrict dst,
                                                             const float *__restrict src, int n) {
    for (int i = 0; i < n; i += 4) *(kwr_f4u *)(dst + i) = *(const kwr_f4u *)(src + i);
}

__attribute__((no_builtin("memset"))) static void zero_floats(float *dst, int n) {
    for (int i = 0; i < n; i += 4) *(kwr_f4u *)(dst + i) = kwr_splat4(0.0f);
}

/* Stores a packed spectrum (n bins in re[], im[]) as entry e of a slice-major array. */
static void scatter(float *base, int count, int e, const float *re, const float *im, int n) {
    for (int j = 0; j < n / CONV_SLICE; j++) {
        float *dst = slice_at(base, count, e, j);
        copy_floats(dst, re + j * CONV_SLICE, CONV_SLICE);
        copy_floats(dst + CONV_SLICE, im + j * CONV_SLICE, CONV_SLICE);
    }
}

int conv_init(convolver *c, float sample_rate, arena *a) {
    c->sample_rate = sample_rate;
    c->max_frames = (int)(CONV_MAX_SECONDS * sample_rate);
    int span = 0;
    for (int l = 0; l < CONV_LEVELS; l++) {
        int n = LEVEL_N[l];
        void *mem = arena_alloc(a, fft_plan_bytes(n));
        if (!mem) return -1;
        fft_plan_init(&c->plan[l], n, mem);
        c->fdl_len[l] = level_parts(l, c->max_frames) + level_back(l);
        if (c->fdl_len[l] < 1) c->fdl_len[l] = 1;
        c->fdl[l] = (float *)arena_alloc(a, sizeof(float) * 2 * (size_t)c->fdl_len[l] * n);
        if (!c->fdl[l]) return -1;
        int need = (c->fdl_len[l] + 3) * n;
        if (need > span) span = need;
    }
    int hist_len = next_pow2(span);
    c->hist = (float *)arena_alloc(a, sizeof(float) * (size_t)hist_len);
    c->hist_mask = hist_len - 1;
    int ring_len = next_pow2(LEVEL_START[CONV_LEVELS - 1] + LEVEL_N[CONV_LEVELS - 1] + 1);
    c->ring_mask = ring_len - 1;
    for (int v = 0; v < 2; v++) {
        for (int ch = 0; ch < 2; ch++) {
            c->ring[v][ch] = (float *)arena_alloc(a, sizeof(float) * (size_t)ring_len);
            if (!c->ring[v][ch]) return -1;
        }
    }
    c->time = (float *)arena_alloc(a, sizeof(float) * 2 * MAX_N);
    c->zr = (float *)arena_alloc(a, sizeof(float) * MAX_N);
    c->zi = (float *)arena_alloc(a, sizeof(float) * MAX_N);
    for (int ch = 0; ch < 2; ch++) {
        c->acc_re[ch] = (float *)arena_alloc(a, sizeof(float) * MAX_N);
        c->acc_im[ch] = (float *)arena_alloc(a, sizeof(float) * MAX_N);
        if (!c->acc_re[ch] || !c->acc_im[ch]) return -1;
    }
    if (!c->hist || !c->time || !c->zr || !c->zi) return -1;
    for (int l = SPREAD_FROM; l < CONV_LEVELS; l++) {
        for (int v = 0; v < 2; v++) {
            for (int ch = 0; ch < 2; ch++) {
                c->pre_re[l][v][ch] = (float *)arena_alloc(a, sizeof(float) * LEVEL_N[l]);
                c->pre_im[l][v][ch] = (float *)arena_alloc(a, sizeof(float) * LEVEL_N[l]);
                if (!c->pre_re[l][v][ch] || !c->pre_im[l][v][ch]) return -1;
            }
        }
    }
    c->xfade_len = (int)(CONV_XFADE_SECONDS * sample_rate);
    c->ir[0] = c->ir[1] = 0;
    conv_reset(c);
    return 0;
}

static void pre_clear(convolver *c, int l, int v) {
    for (int ch = 0; ch < 2; ch++) {
        kwr_memset(c->pre_re[l][v][ch], 0, sizeof(float) * LEVEL_N[l]);
        kwr_memset(c->pre_im[l][v][ch], 0, sizeof(float) * LEVEL_N[l]);
    }
}

void conv_reset(convolver *c) {
    for (int l = 0; l < CONV_LEVELS; l++) {
        kwr_memset(c->fdl[l], 0, sizeof(float) * 2 * (size_t)c->fdl_len[l] * LEVEL_N[l]);
        c->fdl_head[l] = 0;
        c->fdl_valid[l] = 1;
    }
    kwr_memset(c->hist, 0, sizeof(float) * (size_t)(c->hist_mask + 1));
    for (int v = 0; v < 2; v++)
        for (int ch = 0; ch < 2; ch++)
            kwr_memset(c->ring[v][ch], 0, sizeof(float) * (size_t)(c->ring_mask + 1));
    kwr_memset(c->fir_buf, 0, sizeof(c->fir_buf));
    for (int l = SPREAD_FROM; l < CONV_LEVELS; l++) {
        for (int v = 0; v < 2; v++) pre_clear(c, l, v);
    }
    c->t = 0;
    if (c->ir[1]) c->ir[0] = c->ir[1];
    c->ir[1] = 0;
    c->xfade_pos = c->xfade_len;
}

int conv_ir_prepare(convolver *c, conv_ir *ir, arena *a, const float *left, const float *right,
                    int frames) {
    if (frames > c->max_frames) frames = c->max_frames;
    if (frames < 1) frames = 1;
    int channels = right ? 2 : 1;
    size_t floats = (size_t)channels * CONV_HEAD;
    int parts[CONV_LEVELS];
    for (int l = 0; l < CONV_LEVELS; l++) {
        parts[l] = level_parts(l, frames);
        floats += (size_t)channels * 2 * parts[l] * LEVEL_N[l];
    }
    float *mem = (float *)arena_alloc(a, sizeof(float) * floats);
    if (!mem) return -1;
    ir->block = mem;
    ir->frames = frames;
    ir->channels = channels;
    const float *src[2] = {left, right};
    for (int ch = 0; ch < channels; ch++) {
        ir->head[ch] = mem;
        for (int k = 0; k < CONV_HEAD; k++) {
            int tap = CONV_HEAD - 1 - k;
            mem[k] = tap < frames ? kwr_sanitize(src[ch][tap], 1e6f) : 0.0f;
        }
        mem += CONV_HEAD;
    }
    if (channels == 1) ir->head[1] = ir->head[0];
    for (int l = 0; l < CONV_LEVELS; l++) {
        int n = LEVEL_N[l];
        ir->parts[l] = parts[l];
        float scale = 1.0f / (float)(2 * n);
        /* scratch for one partition's packed spectrum: the accumulators only live within fire() */
        float *re = c->acc_re[0], *im = c->acc_im[0];
        for (int ch = 0; ch < channels; ch++) {
            ir->spec[l][ch] = mem;
            mem += 2 * (size_t)parts[l] * n;
            for (int p = 0; p < parts[l]; p++) {
                int start = LEVEL_START[l] + p * n;
                for (int i = 0; i < n; i++) {
                    int idx = start + i;
                    c->time[i] = idx < frames ? kwr_sanitize(src[ch][idx], 1e6f) : 0.0f;
                    c->time[n + i] = 0.0f;
                }
                rfft_forward(&c->plan[l], c->time, re, im, c->zr, c->zi);
                for (int i = 0; i < n; i++) {
                    re[i] *= scale;
                    im[i] *= scale;
                }
                scatter(ir->spec[l][ch], parts[l], p, re, im, n);
            }
        }
        if (channels == 1) ir->spec[l][1] = ir->spec[l][0];
    }
    return 0;
}

void conv_ir_release(conv_ir *ir, arena *a) {
    arena_free(a, ir->block);
    ir->block = 0;
    ir->frames = 0;
}

/* Copies input samples [end − len, end) from the history ring; times before 0 read as zero. */
static void read_history(const convolver *c, long long end, int len, float *dst) {
    long long start = end - len;
    for (int i = 0; i < len; i++) {
        long long time = start + i;
        dst[i] = time < 0 ? 0.0f : c->hist[time & c->hist_mask];
    }
}

/* Spectrum of the input block ending at `end` into FDL slot `slot` of level l; the history is
 * read straight into the packed (even → re, odd → im) form. */
static void fdl_store(convolver *c, int l, int slot, long long end) {
    int n = LEVEL_N[l];
    long long start = end - 2 * n;
    float *zr = c->zr, *zi = c->zi;
    if (start >= 0 && ((start & c->hist_mask) + 2 * n) <= c->hist_mask + 1) {
        const float *h = c->hist + (start & c->hist_mask);
        for (int m = 0; m < n; m++) {
            zr[m] = h[2 * m];
            zi[m] = h[2 * m + 1];
        }
    } else {
        read_history(c, end, 2 * n, c->time);
        for (int m = 0; m < n; m++) {
            zr[m] = c->time[2 * m];
            zi[m] = c->time[2 * m + 1];
        }
    }
    /* packed spectrum into scratch (c->time is free once zr/zi hold the input), then its slices */
    float *re = c->time, *im = c->time + n;
    rfft_forward_packed(&c->plan[l], re, im, zr, zi);
    scatter(c->fdl[l], c->fdl_len[l], slot, re, im, n);
}

/* acc += X·H for one partition on one channel (complex multiply per bin). */
static void mac1(float *__restrict ar, float *__restrict ai, const float *__restrict xr,
                 const float *__restrict xi, const float *__restrict hr,
                 const float *__restrict hi, int n) {
    for (int k = 0; k < n; k++) {
        ar[k] += xr[k] * hr[k] - xi[k] * hi[k];
        ai[k] += xr[k] * hi[k] + xi[k] * hr[k];
    }
}

/* Two partitions at once: half the accumulator loads and stores of two mac1 passes. */
static void mac2(float *__restrict ar, float *__restrict ai, const float *__restrict xr,
                 const float *__restrict xi, const float *__restrict hr,
                 const float *__restrict hi, const float *__restrict yr,
                 const float *__restrict yi, const float *__restrict gr,
                 const float *__restrict gi, int n) {
    for (int k = 0; k < n; k++) {
        ar[k] += (xr[k] * hr[k] - xi[k] * hi[k]) + (yr[k] * gr[k] - yi[k] * gi[k]);
        ai[k] += (xr[k] * hi[k] + xi[k] * hr[k]) + (yr[k] * gi[k] + yi[k] * gr[k]);
    }
}

/* Two partitions of both channels at once: each input spectrum load serves both IRs. Per
 * channel the arithmetic is mac2's. x, y: slice entries of the two input spectra; hl, hr: the
 * first of two consecutive partition slices of each IR. */
static void mac2_stereo(float *__restrict lr, float *__restrict li, float *__restrict rr,
                        float *__restrict ri, const float *__restrict x, const float *__restrict y,
                        const float *__restrict hl, const float *__restrict hr) {
    const int step = 2 * CONV_SLICE;
    const float *gl = hl + step, *gr = hr + step;
    for (int k = 0; k < CONV_SLICE; k++) {
        float xr = x[k], xi = x[CONV_SLICE + k], yr = y[k], yi = y[CONV_SLICE + k];
        lr[k] += (xr * hl[k] - xi * hl[CONV_SLICE + k]) + (yr * gl[k] - yi * gl[CONV_SLICE + k]);
        li[k] += (xr * hl[CONV_SLICE + k] + xi * hl[k]) + (yr * gl[CONV_SLICE + k] + yi * gl[k]);
        rr[k] += (xr * hr[k] - xi * hr[CONV_SLICE + k]) + (yr * gr[k] - yi * gr[CONV_SLICE + k]);
        ri[k] += (xr * hr[CONV_SLICE + k] + xi * hr[k]) + (yr * gr[CONV_SLICE + k] + yi * gr[k]);
    }
}

/* One slice of one or two channels: acc += Σ_{p=p0…parts−1} X_s·H_p, s = slot0 + (p − p0)
 * wrapping at len, partitions in pairs. xs: the slice's FDL entries; hs[ch]: the slice's IR
 * partitions (slice-major, so consecutive entries are 2·CONV_SLICE floats apart); ar/ai[ch]:
 * the slice's sums. */
static void slice_sum(const float *xs, int len, int slot0, float *const hs[2], int channels,
                      int p0, int parts, float *const ar[2], float *const ai[2]) {
    const int step = 2 * CONV_SLICE;
    int s = slot0, p = p0;
    for (; p + 1 < parts; p += 2) {
        const float *x = xs + (size_t)s * step;
        s = s + 1 == len ? 0 : s + 1;
        const float *y = xs + (size_t)s * step;
        s = s + 1 == len ? 0 : s + 1;
        if (channels == 2) {
            mac2_stereo(ar[0], ai[0], ar[1], ai[1], x, y, hs[0] + (size_t)p * step, hs[1] + (size_t)p * step);
        } else {
            const float *h = hs[0] + (size_t)p * step;
            mac2(ar[0], ai[0], x, x + CONV_SLICE, h, h + CONV_SLICE, y, y + CONV_SLICE, h + step,
                 h + step + CONV_SLICE, CONV_SLICE);
        }
    }
    if (p < parts) {
        const float *x = xs + (size_t)s * step;
        for (int ch = 0; ch < channels; ch++) {
            const float *h = hs[ch] + (size_t)p * step;
            mac1(ar[ch], ai[ch], x, x + CONV_SLICE, h, h + CONV_SLICE, CONV_SLICE);
        }
    }
}

/* Σ_p X_{back+p}·H_p for every channel of voice v into acc; bin 0 packs DC (re) and Nyquist
 * (im), which multiply as two real numbers, so it is recomputed after the complex loops. */
static void accumulate(convolver *c, int l, int v, int back) {
    const conv_ir *ir = c->ir[v];
    const int n = LEVEL_N[l], len = c->fdl_len[l], parts = ir->parts[l], channels = ir->channels;
    const int slot = (c->fdl_head[l] + back) % len;
    for (int ch = 0; ch < channels; ch++) {
        zero_floats(c->acc_re[ch], n);
        zero_floats(c->acc_im[ch], n);
    }
    for (int j = 0; j < n / CONV_SLICE; j++) {
        float *hs[2] = {slice_at(ir->spec[l][0], parts, 0, j), slice_at(ir->spec[l][1], parts, 0, j)};
        float *ar[2] = {c->acc_re[0] + j * CONV_SLICE, c->acc_re[1] + j * CONV_SLICE};
        float *ai[2] = {c->acc_im[0] + j * CONV_SLICE, c->acc_im[1] + j * CONV_SLICE};
        slice_sum(slice_at(c->fdl[l], len, 0, j), len, slot, hs, channels, 0, parts, ar, ai);
    }
    for (int ch = 0; ch < channels; ch++) {
        float dc = 0.0f, ny = 0.0f;
        for (int p = 0; p < parts; p++) {
            int s = slot + p >= len ? slot + p - len : slot + p;
            const float *x = slice_at(c->fdl[l], len, s, 0), *h = slice_at(ir->spec[l][ch], parts, p, 0);
            dc += x[0] * h[0];
            ny += x[CONV_SLICE] * h[CONV_SLICE];
        }
        c->acc_re[ch][0] = dc;
        c->acc_im[ch][0] = ny;
    }
}

static int ir_uses_level(const conv_ir *ir, int l) { return ir && ir->parts[l] > 0; }

/* Bins [first, first + count) (whole slices) of Σ_{p=1…P−1} X_{k+1−p}·H_p for voice v's next
 * firing of level l (X_{k+1−p} is FDL entry head + p − 1 until that firing stores X_{k+1}).
 * Bin 0 is fixed when the block fires. */
static void presum(convolver *c, int l, int v, int first, int count) {
    const conv_ir *ir = c->ir[v];
    const int len = c->fdl_len[l], parts = ir->parts[l];
    for (int j = first / CONV_SLICE; j < (first + count) / CONV_SLICE; j++) {
        float *hs[2] = {slice_at(ir->spec[l][0], parts, 0, j), slice_at(ir->spec[l][1], parts, 0, j)};
        float *ar[2] = {c->pre_re[l][v][0] + j * CONV_SLICE, c->pre_re[l][v][1] + j * CONV_SLICE};
        float *ai[2] = {c->pre_im[l][v][0] + j * CONV_SLICE, c->pre_im[l][v][1] + j * CONV_SLICE};
        slice_sum(slice_at(c->fdl[l], len, 0, j), len, c->fdl_head[l], hs, ir->channels, 1, parts, ar, ai);
    }
}

/* Output of level l for the firing `back` blocks before the latest FDL entry, with the IR of
 * voice v, added to that voice's ring at times >= min_time. */
static void fire(convolver *c, int l, int v, int back, long long fire_time, long long min_time,
                 int spread) {
    const conv_ir *ir = c->ir[v];
    int n = LEVEL_N[l], parts = ir->parts[l];
    if (!spread) accumulate(c, l, v, back);
    for (int ch = 0; ch < ir->channels; ch++) {
        float *ar, *ai;
        if (spread) {
            /* the presum holds partitions 1 … P−1; add the newest and fix the packed bin 0 */
            ar = c->pre_re[l][v][ch];
            ai = c->pre_im[l][v][ch];
            const int head = c->fdl_head[l], len = c->fdl_len[l];
            float *spec = ir->spec[l][ch];
            for (int j = 0; j < n / CONV_SLICE; j++) {
                const float *x = slice_at(c->fdl[l], len, head, j), *h = slice_at(spec, parts, 0, j);
                mac1(ar + j * CONV_SLICE, ai + j * CONV_SLICE, x, x + CONV_SLICE, h, h + CONV_SLICE, CONV_SLICE);
            }
            float dc = 0.0f, ny = 0.0f;
            for (int p = 0; p < parts; p++) {
                const float *x = slice_at(c->fdl[l], len, (head + p) % len, 0), *h = slice_at(spec, parts, p, 0);
                dc += x[0] * h[0];
                ny += x[CONV_SLICE] * h[CONV_SLICE];
            }
            ar[0] = dc;
            ai[0] = ny;
        } else {
            ar = c->acc_re[ch];
            ai = c->acc_im[ch];
        }
        rfft_inverse_packed(&c->plan[l], ar, ai, c->zr, c->zi);
        if (spread) {
            kwr_memset(ar, 0, sizeof(float) * n);
            kwr_memset(ai, 0, sizeof(float) * n);
        }
        /* the valid half of the overlap-save block is x[n … 2n): packed z[n/2 … n) */
        float *ring = c->ring[v][ch];
        long long first = fire_time - n + LEVEL_START[l];
        int mask = c->ring_mask;
        const float *zr = c->zr + n / 2, *zi = c->zi + n / 2;
        int offset = (int)(first & mask);
        if (first >= min_time && offset + n <= mask + 1) {
            float *dst = ring + offset;
            for (int m = 0; m < n / 2; m++) {
                dst[2 * m] += zr[m];
                dst[2 * m + 1] += zi[m];
            }
        } else {
            for (int m = 0; m < n; m++) {
                long long time = first + m;
                float y = (m & 1) ? zi[m >> 1] : zr[m >> 1];
                if (time >= min_time) ring[time & mask] += y;
            }
        }
    }
}

/* Rebuilds a level's FDL from the input history (a level unused until now). */
static void fdl_rebuild(convolver *c, int l) {
    int n = LEVEL_N[l];
    long long last = (c->t / n) * n;
    c->fdl_head[l] = 0;
    for (int j = 0; j < c->fdl_len[l]; j++) fdl_store(c, l, j, last - (long long)j * n);
    c->fdl_valid[l] = 1;
}

static void finish_crossfade(convolver *c) {
    float *r0 = c->ring[0][0], *r1 = c->ring[0][1];
    c->ring[0][0] = c->ring[1][0];
    c->ring[0][1] = c->ring[1][1];
    c->ring[1][0] = r0;
    c->ring[1][1] = r1;
    for (int l = SPREAD_FROM; l < CONV_LEVELS; l++) {
        for (int ch = 0; ch < 2; ch++) {
            float *pr = c->pre_re[l][0][ch], *pi = c->pre_im[l][0][ch];
            c->pre_re[l][0][ch] = c->pre_re[l][1][ch];
            c->pre_im[l][0][ch] = c->pre_im[l][1][ch];
            c->pre_re[l][1][ch] = pr;
            c->pre_im[l][1][ch] = pi;
        }
    }
    c->ir[0] = c->ir[1];
    c->ir[1] = 0;
    c->xfade_pos = c->xfade_len;
}

void conv_set_ir(convolver *c, const conv_ir *ir) {
    if (c->xfade_pos < c->xfade_len) finish_crossfade(c);
    if (ir == c->ir[0]) return;
    for (int l = 0; l < CONV_LEVELS; l++) {
        if (ir_uses_level(ir, l) && !c->fdl_valid[l]) fdl_rebuild(c, l);
    }
    for (int ch = 0; ch < 2; ch++) kwr_memset(c->ring[1][ch], 0, sizeof(float) * (size_t)(c->ring_mask + 1));
    c->ir[1] = ir;
    if (ir) {
        for (int l = 0; l < CONV_LEVELS; l++) {
            if (!ir_uses_level(ir, l)) continue;
            int n = LEVEL_N[l];
            long long last = (c->t / n) * n;
            for (int b = 0; b <= level_back(l); b++) {
                long long fire_time = last - (long long)b * n;
                if (fire_time <= 0) continue;
                fire(c, l, 1, b, fire_time, c->t, 0);
            }
            if (l >= SPREAD_FROM) {
                /* the slices of the running period's presum already built for the old voice */
                pre_clear(c, l, 1);
                int done = (int)((c->t % n) / CONV_HEAD) * CONV_HEAD;
                if (done > 0) presum(c, l, 1, 0, done);
            }
        }
    }
    c->xfade_pos = 0;
    /* before any input there is nothing to fade from */
    if (c->t == 0) finish_crossfade(c);
}

void conv_forget(convolver *c, const conv_ir *ir) {
    if (!ir) return;
    if (c->ir[1] == ir) {
        c->ir[1] = 0;
        for (int ch = 0; ch < 2; ch++) kwr_memset(c->ring[1][ch], 0, sizeof(float) * (size_t)(c->ring_mask + 1));
    }
    if (c->ir[0] == ir) {
        c->ir[0] = 0;
        for (int ch = 0; ch < 2; ch++) kwr_memset(c->ring[0][ch], 0, sizeof(float) * (size_t)(c->ring_mask + 1));
    }
}

/* Direct-form head, both channels: y[i] = Σ_k taps_rev[k]·window[i + k], k = 0 … 63 in order.
 * Eight outputs per channel stay in registers across all taps (clang vector extensions → wasm
 * SIMD); each lane sums its taps in the same order as the scalar tail, so any block split gives
 * bit-identical output. */
static void head_fir(const float *__restrict window, const float *__restrict taps_l,
                     const float *__restrict taps_r, float *__restrict out_l,
                     float *__restrict out_r, int n, int stereo) {
    int i = 0;
    /* sixteen outputs per pass while they last: each tap's broadcasts and the loop overhead
     * then serve twice as many multiply-adds (the lane sums are unchanged) */
    for (; stereo && i + 16 <= n; i += 16) {
        kwr_f4 l0 = {0}, l1 = {0}, l2 = {0}, l3 = {0}, r0 = {0}, r1 = {0}, r2 = {0}, r3 = {0};
        const float *w = window + i;
        for (int k = 0; k < CONV_HEAD; k++) {
            kwr_f4 w0 = *(const kwr_f4u *)(w + k), w1 = *(const kwr_f4u *)(w + k + 4);
            kwr_f4 w2 = *(const kwr_f4u *)(w + k + 8), w3 = *(const kwr_f4u *)(w + k + 12);
            float tl = taps_l[k], tr = taps_r[k];
            l0 += tl * w0;
            l1 += tl * w1;
            l2 += tl * w2;
            l3 += tl * w3;
            r0 += tr * w0;
            r1 += tr * w1;
            r2 += tr * w2;
            r3 += tr * w3;
        }
        *(kwr_f4u *)(out_l + i) = l0;
        *(kwr_f4u *)(out_l + i + 4) = l1;
        *(kwr_f4u *)(out_l + i + 8) = l2;
        *(kwr_f4u *)(out_l + i + 12) = l3;
        *(kwr_f4u *)(out_r + i) = r0;
        *(kwr_f4u *)(out_r + i + 4) = r1;
        *(kwr_f4u *)(out_r + i + 8) = r2;
        *(kwr_f4u *)(out_r + i + 12) = r3;
    }
    for (; i + 8 <= n; i += 8) {
        kwr_f4 l0 = {0}, l1 = {0}, r0 = {0}, r1 = {0};
        const float *w = window + i;
        if (stereo) {
            for (int k = 0; k < CONV_HEAD; k++) {
                kwr_f4 w0 = *(const kwr_f4u *)(w + k), w1 = *(const kwr_f4u *)(w + k + 4);
                float tl = taps_l[k], tr = taps_r[k];
                l0 += tl * w0;
                l1 += tl * w1;
                r0 += tr * w0;
                r1 += tr * w1;
            }
            *(kwr_f4u *)(out_r + i) = r0;
            *(kwr_f4u *)(out_r + i + 4) = r1;
        } else {
            for (int k = 0; k < CONV_HEAD; k++) {
                kwr_f4 w0 = *(const kwr_f4u *)(w + k), w1 = *(const kwr_f4u *)(w + k + 4);
                l0 += taps_l[k] * w0;
                l1 += taps_l[k] * w1;
            }
        }
        *(kwr_f4u *)(out_l + i) = l0;
        *(kwr_f4u *)(out_l + i + 4) = l1;
    }
    for (; i < n; i++) {
        float sl = 0.0f, sr = 0.0f;
        for (int k = 0; k < CONV_HEAD; k++) {
            sl += taps_l[k] * window[i + k];
            sr += taps_r[k] * window[i + k];
        }
        out_l[i] = sl;
        if (stereo) out_r[i] = sr;
    }
}

/* dst += ring[t … t + n), clearing those ring slots; one contiguous (vectorisable) loop unless
 * the span wraps (no_builtin: see copy_floats). */
__attribute__((no_builtin("memset"))) static void take_ring(float *__restrict ring, long long t, int mask,
                                                            float *__restrict dst, int n) {
    int start = (int)(t & mask);
    if (start + n <= mask + 1) {
        float *r = ring + start;
        for (int i = 0; i < n; i++) {
            dst[i] += r[i];
            r[i] = 0.0f;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        int slot = (start + i) & mask;
        dst[i] += ring[slot];
        ring[slot] = 0.0f;
    }
}

/* One voice's output for `n` samples starting at time t into dl/dr (overwritten). */
static void voice_output(convolver *c, int v, int pos, float *dl, float *dr, int n) {
    const conv_ir *ir = c->ir[v];
    float *window = c->fir_buf + pos;
    int mask = c->ring_mask;
    if (!ir) {
        for (int i = 0; i < n; i++) dl[i] = dr[i] = 0.0f;
        return;
    }
    head_fir(window, ir->head[0], ir->head[1], dl, dr, n, ir->channels == 2);
    take_ring(c->ring[v][0], c->t, mask, dl, n);
    if (ir->channels == 2) {
        take_ring(c->ring[v][1], c->t, mask, dr, n);
    } else {
        for (int i = 0; i < n; i++) dr[i] = dl[i];
    }
}

/* At every 64-sample boundary: one 64-bin slice of each larger level's presum, then the levels
 * whose block ends here fire. */
static void run_levels(convolver *c) {
    for (int l = 0; l < CONV_LEVELS; l++) {
        int n = LEVEL_N[l];
        int boundary = c->t % n == 0;
        int used0 = ir_uses_level(c->ir[0], l), used1 = ir_uses_level(c->ir[1], l);
        if (!used0 && !used1) {
            if (boundary) c->fdl_valid[l] = 0;
            continue;
        }
        if (l >= SPREAD_FROM) {
            int slice = (int)((c->t % n) / CONV_HEAD);
            if (slice == 0) slice = n / CONV_HEAD;
            int first = (slice - 1) * CONV_HEAD;
            if (used0) presum(c, l, 0, first, CONV_HEAD);
            if (used1) presum(c, l, 1, first, CONV_HEAD);
        }
        if (!boundary) continue;
        c->fdl_head[l] = (c->fdl_head[l] + c->fdl_len[l] - 1) % c->fdl_len[l];
        fdl_store(c, l, c->fdl_head[l], c->t);
        if (used0) fire(c, l, 0, 0, c->t, c->t, l >= SPREAD_FROM);
        if (used1) fire(c, l, 1, 0, c->t, c->t, l >= SPREAD_FROM);
    }
}

void conv_process(convolver *c, const float *in, float *out_left, float *out_right, int n) {
    int done = 0;
    while (done < n) {
        int pos = (int)(c->t % CONV_HEAD);
        int chunk = CONV_HEAD - pos;
        if (chunk > n - done) chunk = n - done;
        for (int i = 0; i < chunk; i++) {
            float x = kwr_sanitize(in[done + i], 1e6f);
            c->hist[(c->t + i) & c->hist_mask] = x;
            c->fir_buf[CONV_HEAD - 1 + pos + i] = x;
        }
        float *dl = out_left + done, *dr = out_right + done;
        voice_output(c, 0, pos, dl, dr, chunk);
        if (c->xfade_pos < c->xfade_len) {
            float bl[CONV_HEAD], br[CONV_HEAD];
            voice_output(c, 1, pos, bl, br, chunk);
            float inv = 1.0f / (float)c->xfade_len;
            for (int i = 0; i < chunk; i++) {
                int p = c->xfade_pos + i;
                float f = p < c->xfade_len ? (float)p * inv : 1.0f;
                float gin = kwr_sqrtf(f), gout = kwr_sqrtf(1.0f - f);
                dl[i] = gout * dl[i] + gin * bl[i];
                dr[i] = gout * dr[i] + gin * br[i];
            }
            c->xfade_pos += chunk;
            if (c->xfade_pos >= c->xfade_len) finish_crossfade(c);
        }
        c->t += chunk;
        done += chunk;
        if (c->t % CONV_HEAD == 0) {
            for (int k = 0; k < CONV_HEAD - 1; k++) c->fir_buf[k] = c->fir_buf[CONV_HEAD + k];
            run_levels(c);
        }
    }
}
