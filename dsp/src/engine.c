/* engine.c — the wasm-facing glue: arena set-up, sample slots, parameters, transport and the
 * per-block signal flow of DESIGN.md. Every export is prefixed kwr_ and documented in
 * dsp/README.md. Only setup calls (create, alloc, load, select of an IR) do heavy work; process
 * never allocates.
 */
#include "engine.h"

#define EXPORT(name) __attribute__((export_name(#name)))

static const float PARAM_TABLE[KWR_PARAM_COUNT][3] = {KWR_PARAM_TABLE};

static float db_gain(float db) { return kwr_db_to_gain(db); }

static void apply_param(kwr_engine *e, int id) {
    float v = e->params[id];
    switch (id) {
        case KWR_PARAM_BPM: transport_set_bpm(&e->clock, v); break;
        case KWR_PARAM_KICK_LEN: player_set_length(&e->kick, v); break;
        case KWR_PARAM_KICK_DIST_AMT: shaper_set_wet(&e->kick_shaper, v); break;
        case KWR_PARAM_KICK_OTT_AMT: ott_set_amount(&e->kick_ott, v); break;
        case KWR_PARAM_KICK_TUNE: player_set_tune(&e->kick, v); break;
        case KWR_PARAM_NOISE_LOW_PASS_FREQ: svf_pair_set_low_pass(&e->noise_filter, v); break;
        case KWR_PARAM_NOISE_HIGH_PASS_FREQ: svf_pair_set_high_pass(&e->noise_filter, v); break;
        case KWR_PARAM_NOISE_VOLUME: ramp_set(&e->noise_gain, db_gain(v)); break;
        case KWR_PARAM_REVERB_LOW_PASS_FREQ: svf_pair_set_low_pass(&e->reverb_filter, v); break;
        case KWR_PARAM_REVERB_HIGH_PASS_FREQ: svf_pair_set_high_pass(&e->reverb_filter, v); break;
        case KWR_PARAM_REVERB_VOLUME: ramp_set(&e->reverb_gain, db_gain(v)); break;
        case KWR_PARAM_MASTER_OTT_AMT: ott_set_amount(&e->master_ott, v); break;
        case KWR_PARAM_MASTER_DIST_AMT: shaper_set_wet(&e->master_shaper, v); break;
        case KWR_PARAM_MASTER_LIMITER_AMT: limiter_set_pregain(&e->lim, v); break;
        default: break;
    }
}

/* Every smoothed parameter jumps to its target; audio state (filters, envelopes, voices,
 * reverb history) is untouched. */
static void settle(kwr_engine *e) {
    shaper_reset(&e->kick_shaper);
    shaper_reset(&e->master_shaper);
    ott_snap(&e->kick_ott);
    ott_snap(&e->master_ott);
    svf_pair_snap(&e->noise_filter);
    svf_pair_snap(&e->reverb_filter);
    limiter_snap(&e->lim);
    ramp_snap(&e->noise_gain);
    ramp_snap(&e->reverb_gain);
    ramp_snap(&e->reverb_dry);
}

static void set_ir_selected(kwr_engine *e, int slot) {
    e->sel_ir = slot;
    ramp_set(&e->reverb_dry, slot >= 0 ? KWR_REVERB_DRY : 0.0f);
}

EXPORT(kwr_default_arena_bytes) unsigned kwr_default_arena_bytes(float sample_rate) {
    /* stock sounds + 30 AI kicks of 2 s + IR spectra + convolver state, in seconds of float
     * samples at this rate (see dsp/README.md, "Memory"), plus fixed tables */
    double seconds = 360.0;
    double rate = sample_rate < 44100.0f ? 44100.0 : (double)sample_rate;
    return (unsigned)(seconds * rate * 4.0) + (4u << 20);
}

EXPORT(kwr_create) kwr_engine *kwr_create(float sample_rate, unsigned arena_bytes) {
    if (!(sample_rate >= 22050.0f && sample_rate <= 192000.0f)) return 0;
    if (arena_bytes == 0) arena_bytes = kwr_default_arena_bytes(sample_rate);
    unsigned pages = (arena_bytes + 65535u) / 65536u;
    int old = __builtin_wasm_memory_grow(0, pages);
    if (old < 0) return 0;
    arena a;
    arena_init(&a, (void *)((unsigned long)old * 65536ul), (size_t)pages * 65536u);
    kwr_engine *e = (kwr_engine *)arena_calloc(&a, sizeof(kwr_engine));
    if (!e) return 0;
    e->mem = a;
    e->sample_rate = sample_rate;
    transport_init(&e->clock, sample_rate);
    player_init(&e->kick, sample_rate, 0);
    player_init(&e->noise, sample_rate, 1);
    shaper_init(&e->kick_shaper, sample_rate);
    shaper_init(&e->master_shaper, sample_rate);
    ott_init(&e->kick_ott, OTT_KICK, sample_rate);
    ott_init(&e->master_ott, OTT_MASTER, sample_rate);
    svf_pair_init(&e->noise_filter, sample_rate);
    svf_pair_init(&e->reverb_filter, sample_rate);
    limiter_init(&e->lim, sample_rate);
    ramp_init(&e->noise_gain, 0.0f, 0.02f, sample_rate);
    ramp_init(&e->reverb_gain, 0.0f, 0.02f, sample_rate);
    ramp_init(&e->reverb_dry, 0.0f, 0.02f, sample_rate);
    if (conv_init(&e->reverb, sample_rate, &e->mem) != 0) return 0;
    e->sel_kick = e->sel_noise = e->sel_ir = -1;
    e->pending_noise = -1;
    for (int id = 0; id < KWR_PARAM_COUNT; id++) {
        e->params[id] = PARAM_TABLE[id][2];
        apply_param(e, id);
    }
    settle(e); /* start from Init with no ramps in flight */
    return e;
}

EXPORT(kwr_sample_rate) float kwr_sample_rate(const kwr_engine *e) { return e->sample_rate; }

/* ---- memory for uploads ---- */

EXPORT(kwr_alloc) void *kwr_alloc(kwr_engine *e, unsigned bytes) { return arena_alloc(&e->mem, bytes); }
EXPORT(kwr_free) void kwr_free(kwr_engine *e, void *p) { arena_free(&e->mem, p); }
EXPORT(kwr_memory_used) unsigned kwr_memory_used(const kwr_engine *e) { return (unsigned)e->mem.used; }
EXPORT(kwr_memory_free) unsigned kwr_memory_free(const kwr_engine *e) {
    return (unsigned)arena_largest_free(&e->mem);
}

/* ---- samples ---- */

static kwr_sample_slot *sample_slot(kwr_engine *e, int kind, int slot) {
    if (kind == KWR_KIND_KICK && slot >= 0 && slot < KWR_MAX_KICKS) return &e->kicks[slot];
    if (kind == KWR_KIND_NOISE && slot >= 0 && slot < KWR_MAX_NOISES) return &e->noises[slot];
    return 0;
}

static void release_sample(kwr_engine *e, int kind, kwr_sample_slot *s) {
    if (!s->used) return;
    player_forget(kind == KWR_KIND_KICK ? &e->kick : &e->noise, &s->buf);
    arena_free(&e->mem, s->data);
    s->used = 0;
    s->data = 0;
}

static void release_ir(kwr_engine *e, kwr_ir_slot *s) {
    if (!s->used) return;
    conv_forget(&e->reverb, &s->ir);
    conv_ir_release(&s->ir, &e->mem);
    s->used = 0;
}

static int check_frames(const float *data, int channels, int frames) {
    if (!data || (channels != 1 && channels != 2) || frames < 1) return 0;
    return 1;
}

/* `data` (from kwr_alloc) holds `channels` planar channels of `frames` floats. The engine owns
 * it from here on (kicks/noises keep it; IRs are transformed and the buffer is freed). */
EXPORT(kwr_load) int kwr_load(kwr_engine *e, int kind, int slot, float *data, int channels,
                              int frames, float sample_rate) {
    if (kind < KWR_KIND_KICK || kind > KWR_KIND_IR) return KWR_ERR_BAD_KIND;
    if (!check_frames(data, channels, frames) || !(sample_rate >= 8000.0f && sample_rate <= 384000.0f)) {
        return KWR_ERR_BAD_SAMPLE;
    }
    /* sanitise once at load so process never meets NaN/inf from a sample */
    for (long i = 0; i < (long)channels * frames; i++) data[i] = kwr_sanitize(data[i], 16.0f);
    if (kind == KWR_KIND_IR) {
        if (slot < 0 || slot >= KWR_MAX_IRS) return KWR_ERR_BAD_SLOT;
        kwr_ir_slot *s = &e->irs[slot];
        int was_selected = e->sel_ir == slot && s->used;
        release_ir(e, s);
        int rc = conv_ir_prepare(&e->reverb, &s->ir, &e->mem, data, channels == 2 ? data + frames : 0,
                                 frames);
        arena_free(&e->mem, data);
        if (rc != 0) {
            if (was_selected) set_ir_selected(e, -1);
            return KWR_ERR_NO_MEMORY;
        }
        s->used = 1;
        if (was_selected) conv_set_ir(&e->reverb, &s->ir);
        return KWR_OK;
    }
    kwr_sample_slot *s = sample_slot(e, kind, slot);
    if (!s) return KWR_ERR_BAD_SLOT;
    release_sample(e, kind, s);
    s->data = data;
    s->buf.ch[0] = data;
    s->buf.ch[1] = channels == 2 ? data + frames : data;
    s->buf.channels = channels;
    s->buf.frames = frames;
    s->buf.sample_rate = sample_rate;
    s->pitch_hz = 0.0f;
    if (kind == KWR_KIND_KICK) {
        s->pitch_hz = pitch_detect_tail(data, frames, sample_rate, e->pitch_scratch);
    }
    s->used = 1;
    if (kind == KWR_KIND_KICK && e->sel_kick == slot) player_select(&e->kick, &s->buf);
    if (kind == KWR_KIND_NOISE && e->sel_noise == slot) player_select(&e->noise, &s->buf);
    return KWR_OK;
}

EXPORT(kwr_unload) int kwr_unload(kwr_engine *e, int kind, int slot) {
    if (kind == KWR_KIND_IR) {
        if (slot < 0 || slot >= KWR_MAX_IRS) return KWR_ERR_BAD_SLOT;
        if (e->sel_ir == slot) set_ir_selected(e, -1);
        release_ir(e, &e->irs[slot]);
        return KWR_OK;
    }
    kwr_sample_slot *s = sample_slot(e, kind, slot);
    if (!s) return kind == KWR_KIND_KICK || kind == KWR_KIND_NOISE ? KWR_ERR_BAD_SLOT : KWR_ERR_BAD_KIND;
    if (kind == KWR_KIND_KICK && e->sel_kick == slot) e->sel_kick = -1;
    if (kind == KWR_KIND_NOISE && e->sel_noise == slot) e->sel_noise = -1;
    if (kind == KWR_KIND_NOISE && e->pending_noise == slot) e->pending_noise = -1;
    release_sample(e, kind, s);
    return KWR_OK;
}

/* Selects the sound of a layer. A kick applies from its next trigger; a noise chosen while the
 * loop runs starts on the next beat and restarts the 16-beat cycle; an IR crossfades. */
EXPORT(kwr_select) int kwr_select(kwr_engine *e, int kind, int slot) {
    if (kind == KWR_KIND_IR) {
        if (slot < 0 || slot >= KWR_MAX_IRS) return KWR_ERR_BAD_SLOT;
        if (!e->irs[slot].used) return KWR_ERR_EMPTY_SLOT;
        set_ir_selected(e, slot);
        conv_set_ir(&e->reverb, &e->irs[slot].ir);
        return KWR_OK;
    }
    kwr_sample_slot *s = sample_slot(e, kind, slot);
    if (!s) return kind == KWR_KIND_KICK || kind == KWR_KIND_NOISE ? KWR_ERR_BAD_SLOT : KWR_ERR_BAD_KIND;
    if (!s->used) return KWR_ERR_EMPTY_SLOT;
    if (kind == KWR_KIND_KICK) {
        e->sel_kick = slot;
        player_select(&e->kick, &s->buf);
    } else {
        e->sel_noise = slot;
        if (e->clock.playing) {
            e->pending_noise = slot;
        } else {
            player_select(&e->noise, &s->buf);
        }
    }
    return KWR_OK;
}

EXPORT(kwr_selected) int kwr_selected(const kwr_engine *e, int kind) {
    return kind == KWR_KIND_KICK ? e->sel_kick : kind == KWR_KIND_NOISE ? e->sel_noise : kind == KWR_KIND_IR ? e->sel_ir : -1;
}

/* Tail pitch (Hz) of a loaded kick, computed once at load; 0 when none was found. */
EXPORT(kwr_kick_pitch) float kwr_kick_pitch(const kwr_engine *e, int slot) {
    if (slot < 0 || slot >= KWR_MAX_KICKS || !e->kicks[slot].used) return 0.0f;
    return e->kicks[slot].pitch_hz;
}

/* Tail pitch of any mono buffer in engine memory. */
EXPORT(kwr_detect_pitch) float kwr_detect_pitch(kwr_engine *e, const float *data, int frames, float sample_rate) {
    if (!data || frames < 1 || !(sample_rate >= 8000.0f)) return 0.0f;
    return pitch_detect_tail(data, frames, sample_rate, e->pitch_scratch);
}

/* ---- parameters ---- */

EXPORT(kwr_set_param) int kwr_set_param(kwr_engine *e, int id, float value) {
    if (id < 0 || id >= KWR_PARAM_COUNT) return KWR_ERR_BAD_PARAM;
    if (value != value) return KWR_OK; /* NaN: keep the current value */
    e->params[id] = kwr_clamp_param(value, PARAM_TABLE[id][0], PARAM_TABLE[id][1], PARAM_TABLE[id][2]);
    apply_param(e, id);
    return KWR_OK;
}

/* Applies every parameter set so far at once, before the next sample: an offline render (an
 * export) starts from the settled sound instead of gliding there from Init. */
EXPORT(kwr_settle) void kwr_settle(kwr_engine *e) { settle(e); }

EXPORT(kwr_get_param) float kwr_get_param(const kwr_engine *e, int id) {
    if (id < 0 || id >= KWR_PARAM_COUNT) return 0.0f;
    return e->params[id];
}

EXPORT(kwr_param_count) int kwr_param_count(void) { return KWR_PARAM_COUNT; }
EXPORT(kwr_param_min) float kwr_param_min(int id) { return id >= 0 && id < KWR_PARAM_COUNT ? PARAM_TABLE[id][0] : 0.0f; }
EXPORT(kwr_param_max) float kwr_param_max(int id) { return id >= 0 && id < KWR_PARAM_COUNT ? PARAM_TABLE[id][1] : 0.0f; }
EXPORT(kwr_param_init) float kwr_param_init(int id) { return id >= 0 && id < KWR_PARAM_COUNT ? PARAM_TABLE[id][2] : 0.0f; }

/* ---- transport ---- */

EXPORT(kwr_play) void kwr_play(kwr_engine *e) {
    if (e->clock.playing) return;
    transport_play(&e->clock);
    e->cycle_origin = 0;
}

EXPORT(kwr_stop) void kwr_stop(kwr_engine *e) {
    transport_stop(&e->clock);
    if (e->pending_noise >= 0) {
        player_select(&e->noise, &e->noises[e->pending_noise].buf);
        e->pending_noise = -1;
    }
    player_release(&e->kick);
    player_release(&e->noise);
}

EXPORT(kwr_playing) int kwr_playing(const kwr_engine *e) { return e->clock.playing; }

/* Cue (held key): down plays one kick and the noise bed for as long as it is held, up releases.
 * While the loop runs the transport owns both voices and cue is ignored. */
EXPORT(kwr_cue) void kwr_cue(kwr_engine *e, int down) {
    if (e->clock.playing) return;
    if (down) {
        e->cue_held = 1;
        player_trigger(&e->kick);
        player_trigger(&e->noise);
    } else if (e->cue_held) {
        e->cue_held = 0;
        player_release(&e->kick);
        player_release(&e->noise);
    }
}

/* One kick, no noise: the "hit" of an offline render. */
EXPORT(kwr_hit) void kwr_hit(kwr_engine *e) { player_trigger(&e->kick); }

static void on_beat(kwr_engine *e) {
    long long beat = transport_fire(&e->clock);
    if (e->pending_noise >= 0) {
        player_select(&e->noise, &e->noises[e->pending_noise].buf);
        e->pending_noise = -1;
        e->cycle_origin = beat;
    }
    player_trigger(&e->kick);
    if ((beat - e->cycle_origin) % KWR_NOISE_CYCLE_BEATS == 0) player_trigger(&e->noise);
}

/* ---- processing ---- */

static void render_block(kwr_engine *e, float *out_l, float *out_r, int n) {
    /* sources, split at beats so triggers land on their exact sample */
    int off = 0;
    while (off < n) {
        int k = transport_until_beat(&e->clock, n - off);
        if (k > 0) {
            player_process(&e->kick, e->kick_buf + off, 0, k);
            player_process(&e->noise, e->noise_l + off, e->noise_r + off, k);
            transport_advance(&e->clock, k);
            off += k;
        }
        if (off < n) on_beat(e);
    }
    /* kick: shaper → OTT */
    shaper_process(&e->kick_shaper, e->kick_buf, 0, n);
    ott_process(&e->kick_ott, e->kick_buf, 0, n);
    /* noise: volume → LP → HP */
    ramp_fill(&e->noise_gain, e->gain_buf, n);
    for (int i = 0; i < n; i++) {
        e->noise_l[i] *= e->gain_buf[i];
        e->noise_r[i] *= e->gain_buf[i];
    }
    svf_pair_process(&e->noise_filter, e->noise_l, e->noise_r, n);
    /* reverb bus: the mono send (kick + noise) → convolution, mixed 30 % wet with 70 % of the
     * dry stereo send while an IR is selected → LP → HP → volume */
    for (int i = 0; i < n; i++) e->send[i] = e->kick_buf[i] + 0.5f * (e->noise_l[i] + e->noise_r[i]);
    conv_process(&e->reverb, e->send, e->rev_l, e->rev_r, n);
    ramp_fill(&e->reverb_dry, e->dry_buf, n);
    for (int i = 0; i < n; i++) {
        e->rev_l[i] = e->dry_buf[i] * (e->kick_buf[i] + e->noise_l[i]) + KWR_REVERB_WET * e->rev_l[i];
        e->rev_r[i] = e->dry_buf[i] * (e->kick_buf[i] + e->noise_r[i]) + KWR_REVERB_WET * e->rev_r[i];
    }
    svf_pair_process(&e->reverb_filter, e->rev_l, e->rev_r, n);
    ramp_fill(&e->reverb_gain, e->gain_buf, n);
    for (int i = 0; i < n; i++) {
        e->mix_l[i] = e->kick_buf[i] + e->noise_l[i] + e->gain_buf[i] * e->rev_l[i];
        e->mix_r[i] = e->kick_buf[i] + e->noise_r[i] + e->gain_buf[i] * e->rev_r[i];
    }
    /* master: OTT → shaper → pre-gain → two-stage limiter with makeup → soft clip */
    ott_process(&e->master_ott, e->mix_l, e->mix_r, n);
    shaper_process(&e->master_shaper, e->mix_l, e->mix_r, n);
    limiter_process(&e->lim, e->mix_l, e->mix_r, n);
    /* the meter's peak and energy in four lanes, so that no serial add or max chain runs per
     * sample (only the meter's rounding depends on the order, never the output) */
    kwr_f4 peak4 = kwr_splat4(e->meter_peak), sum4 = kwr_splat4(0.0f);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        kwr_f4 l = *(const kwr_f4u *)(e->mix_l + i), r = *(const kwr_f4u *)(e->mix_r + i);
        *(kwr_f4u *)(out_l + i) = l;
        *(kwr_f4u *)(out_r + i) = r;
        kwr_f4 m = __builtin_elementwise_abs(l), mr = __builtin_elementwise_abs(r);
        kwr_i4 gt = (kwr_i4)(m > mr);
        m = (kwr_f4)(((kwr_i4)m & gt) | ((kwr_i4)mr & ~gt));
        gt = (kwr_i4)(m > peak4);
        peak4 = (kwr_f4)(((kwr_i4)m & gt) | ((kwr_i4)peak4 & ~gt));
        sum4 += l * l + r * r;
    }
    float peak = kwr_maxf(kwr_maxf(peak4[0], peak4[1]), kwr_maxf(peak4[2], peak4[3]));
    float sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3]);
    for (; i < n; i++) {
        float l = e->mix_l[i], r = e->mix_r[i];
        out_l[i] = l;
        out_r[i] = r;
        peak = kwr_maxf(peak, kwr_maxf(kwr_absf(l), kwr_absf(r)));
        sum += l * l + r * r;
    }
    e->meter_peak = peak;
    e->meter_sum += 0.5 * (double)sum;
    e->meter_count += n;
}

/* Renders `frames` samples (any count) of the current state into left/right. */
EXPORT(kwr_process) void kwr_process(kwr_engine *e, float *left, float *right, int frames) {
    int done = 0;
    while (done < frames) {
        int n = frames - done < KWR_BLOCK ? frames - done : KWR_BLOCK;
        render_block(e, left + done, right + done, n);
        done += n;
    }
}

/* Offline render entry: identical to process (same code, same state), kept separate in the
 * ABI so an exporter never depends on the real-time call's buffers. */
EXPORT(kwr_render) void kwr_render(kwr_engine *e, float *left, float *right, int frames) {
    kwr_process(e, left, right, frames);
}

/* Peak and RMS (dBFS, floor −100) since the previous read; returns a pointer to the 2 floats. */
EXPORT(kwr_meter_read) float *kwr_meter_read(kwr_engine *e) {
    float peak = e->meter_peak;
    double ms = e->meter_count > 0 ? e->meter_sum / (double)e->meter_count : 0.0;
    e->meter_out[0] = peak > 1e-5f ? kwr_gain_to_db(peak) : -100.0f;
    e->meter_out[1] = ms > 1e-10 ? 0.5f * kwr_gain_to_db((float)ms) : -100.0f;
    e->meter_peak = 0.0f;
    e->meter_sum = 0.0;
    e->meter_count = 0;
    return e->meter_out;
}

/* IR length in frames as prepared (capped at 6 s), 0 for an empty slot. */
EXPORT(kwr_ir_frames) int kwr_ir_frames(const kwr_engine *e, int slot) {
    if (slot < 0 || slot >= KWR_MAX_IRS || !e->irs[slot].used) return 0;
    return e->irs[slot].ir.frames;
}
