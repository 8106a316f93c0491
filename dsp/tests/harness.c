/* harness.c — unit-level exports for the pytest suite (never shipped: built into
 * dsp/build/harness.wasm together with the engine sources). Each h_* call builds a fresh unit,
 * runs it over caller buffers and returns, so a test compares one unit with its NumPy reference.
 */
#include "engine.h"

#define EXPORT(name) __attribute__((export_name(#name)))

static arena scratch;
static int scratch_ready;

static arena *mem(void) {
    if (!scratch_ready) {
        unsigned pages = 1024; /* 64 MiB */
        int old = __builtin_wasm_memory_grow(0, pages);
        arena_init(&scratch, (void *)((unsigned long)old * 65536ul), (size_t)pages * 65536u);
        scratch_ready = 1;
    }
    return &scratch;
}

EXPORT(h_alloc) void *h_alloc(unsigned bytes) { return arena_alloc(mem(), bytes); }
EXPORT(h_free) void h_free(void *p) { arena_free(mem(), p); }

/* The kick player alone: one mono sample at `sample_sr`, length and tune set, one trigger. */
EXPORT(h_player) void h_player(float sr, float *data, int frames, float sample_sr, float length,
                               float tune, float *out, int n) {
    player *p = (player *)arena_alloc(mem(), sizeof(player));
    sample_buf s = {.channels = 1, .frames = frames, .sample_rate = sample_sr};
    s.ch[0] = s.ch[1] = data;
    player_init(p, sr, 0);
    player_select(p, &s);
    player_set_length(p, length);
    player_set_tune(p, tune);
    player_trigger(p);
    for (int i = 0; i < n; i += 128) player_process(p, out + i, 0, n - i < 128 ? n - i : 128);
    arena_free(mem(), p);
}

/* mode 0 LP, 1 HP, 2 BP, 3 AP */
EXPORT(h_svf) void h_svf(float fc, float q, float sr, const float *in, float *out, int n, int mode) {
    svf_coefs c;
    svf_state s = {0.0f, 0.0f};
    svf_design(&c, fc, q, sr);
    for (int i = 0; i < n; i++) {
        float lp;
        float bp = svf_tick(&c, &s, in[i], &lp);
        float y = mode == 0 ? lp : mode == 1 ? in[i] - c.k * bp - lp : mode == 2 ? bp : in[i] - 2.0f * c.k * bp;
        out[i] = y;
    }
}

/* The noise/reverb LP→HP pair; lp/hp set, then `snap` (1) or let the smoothers run (0). */
EXPORT(h_svf_pair) void h_svf_pair(float sr, float lp, float hp, float *l, float *r, int n, int block, int snap) {
    svf_pair *f = (svf_pair *)arena_alloc(mem(), sizeof(svf_pair));
    svf_pair_init(f, sr);
    svf_pair_set_low_pass(f, lp);
    svf_pair_set_high_pass(f, hp);
    if (snap) svf_pair_snap(f);
    for (int i = 0; i < n; i += block) svf_pair_process(f, l + i, r ? r + i : 0, n - i < block ? n - i : block);
    arena_free(mem(), f);
}

EXPORT(h_shaper) void h_shaper(float sr, float wet, float *x, int n) {
    shaper s;
    shaper_init(&s, sr);
    shaper_set_wet(&s, wet);
    shaper_reset(&s);
    shaper_process(&s, x, 0, n);
}

EXPORT(h_ott_split) void h_ott_split(int variant, float sr, const float *x, float *lo, float *mid, float *hi, int n) {
    ott *o = (ott *)arena_alloc(mem(), sizeof(ott));
    ott_init(o, (ott_variant)variant, sr);
    ott_split(o, x, lo, mid, hi, n);
    arena_free(mem(), o);
}

EXPORT(h_ott_gain_db) float h_ott_gain_db(int variant, int band, float level_db, float amount) {
    ott *o = (ott *)arena_alloc(mem(), sizeof(ott));
    ott_init(o, (ott_variant)variant, 48000.0f);
    float g = ott_gain_db(o, band, level_db, amount);
    arena_free(mem(), o);
    return g;
}

/* OTT on l/r (r may be NULL) in calls of `block` samples; amount set with ramps snapped. */
EXPORT(h_ott) void h_ott(int variant, float sr, float amount, float *l, float *r, int n, int block) {
    ott *o = (ott *)arena_alloc(mem(), sizeof(ott));
    ott_init(o, (ott_variant)variant, sr);
    ott_set_amount(o, amount);
    ott_reset(o);
    if (block < 1 || block > OTT_MAX_BLOCK) block = OTT_MAX_BLOCK;
    for (int i = 0; i < n; i += block) {
        int k = n - i < block ? n - i : block;
        ott_process(o, l + i, r ? r + i : 0, k);
    }
    arena_free(mem(), o);
}

/* The master loudness stage on l/r in calls of `block` samples, pre-gain set and snapped. */
EXPORT(h_limiter) void h_limiter(float sr, float pregain, float *l, float *r, int n, int block) {
    limiter *lim = (limiter *)arena_alloc(mem(), sizeof(limiter));
    limiter_init(lim, sr);
    limiter_set_pregain(lim, pregain);
    limiter_reset(lim);
    for (int i = 0; i < n; i += block) limiter_process(lim, l + i, r + i, n - i < block ? n - i : block);
    arena_free(mem(), lim);
}

EXPORT(h_softclip) float h_softclip(float v) { return limiter_softclip(v); }

/* A convolver fed `in` in chunks of `block` (cycling through the sizes in `blocks` if given). */
static convolver *conv_unit;
static conv_ir conv_irs[2];

EXPORT(h_conv_create) int h_conv_create(float sr) {
    if (!conv_unit) {
        conv_unit = (convolver *)arena_alloc(mem(), sizeof(convolver));
        if (conv_init(conv_unit, sr, mem()) != 0) return -1;
    }
    conv_reset(conv_unit);
    return 0;
}

EXPORT(h_conv_load) int h_conv_load(int which, const float *l, const float *r, int frames) {
    if (conv_irs[which].block) {
        conv_forget(conv_unit, &conv_irs[which]);
        conv_ir_release(&conv_irs[which], mem());
    }
    return conv_ir_prepare(conv_unit, &conv_irs[which], mem(), l, r, frames);
}

EXPORT(h_conv_select) void h_conv_select(int which) { conv_set_ir(conv_unit, which < 0 ? 0 : &conv_irs[which]); }

EXPORT(h_conv_process) void h_conv_process(const float *in, float *l, float *r, int n) { conv_process(conv_unit, in, l, r, n); }

EXPORT(h_fft_roundtrip) void h_fft_roundtrip(int n, const float *x, float *spec_re, float *spec_im, float *back) {
    void *pm = arena_alloc(mem(), fft_plan_bytes(n));
    float *zr = (float *)arena_alloc(mem(), sizeof(float) * n), *zi = (float *)arena_alloc(mem(), sizeof(float) * n);
    float *tr = (float *)arena_alloc(mem(), sizeof(float) * n), *ti = (float *)arena_alloc(mem(), sizeof(float) * n);
    fft_plan p;
    fft_plan_init(&p, n, pm);
    rfft_forward(&p, x, spec_re, spec_im, zr, zi);
    for (int i = 0; i < n; i++) {
        tr[i] = spec_re[i];
        ti[i] = spec_im[i];
    }
    rfft_inverse(&p, tr, ti, back, zr, zi);
    arena_free(mem(), pm);
    arena_free(mem(), zr);
    arena_free(mem(), zi);
    arena_free(mem(), tr);
    arena_free(mem(), ti);
}

EXPORT(h_tanh) float h_tanh(float x) { return kwr_tanhf(x); }
EXPORT(h_exp) float h_exp(float x) { return kwr_expf(x); }
EXPORT(h_log) float h_log(float x) { return kwr_logf(x); }
