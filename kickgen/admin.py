from django.contrib import admin

from kickgen.models import GeneratedKick, GenerationJob


@admin.register(GeneratedKick)
class GeneratedKickAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "keywords", "detected_note", "seed", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "user__username", "keywords")
    readonly_fields = ("audio_url", "storage_path", "created_at", "detected_note", "detected_hz")
    raw_id_fields = ("user", "varied_from")


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "status", "created_at", "started_at", "finished_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("user__username", "error")
    readonly_fields = [field.name for field in GenerationJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
