"""Staff manage presets here, including the shared ones members can only load."""

from django.contrib import admin

from .models import Preset


@admin.register(Preset)
class PresetAdmin(admin.ModelAdmin):
    list_display = ["preset_name", "user", "is_shared", "bpm", "kick_sample", "updated_at"]
    list_filter = ["is_shared"]
    search_fields = ["preset_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["preset_name", "user", "is_shared", "bpm"]}),
        (
            "Kick",
            {"fields": ["kick_sample", "kick_len", "kick_dist_amt", "kick_ott_amt", "kick_tune"]},
        ),
        (
            "Noise",
            {
                "fields": [
                    "noise_sample",
                    "noise_low_pass_freq",
                    "noise_high_pass_freq",
                    "noise_volume",
                ]
            },
        ),
        (
            "Reverb",
            {
                "fields": [
                    "reverb_sample",
                    "reverb_low_pass_freq",
                    "reverb_high_pass_freq",
                    "reverb_volume",
                ]
            },
        ),
        ("Master", {"fields": ["master_ott_amt", "master_dist_amt", "master_limiter_amt"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
