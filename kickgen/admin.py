from django.contrib import admin

from kickgen.models import GeneratedKick, GenerationJob
from kickgen.storage import get_kick_storage


@admin.register(GeneratedKick)
class GeneratedKickAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "keywords", "detected_note", "seed", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "user__username", "keywords")
    readonly_fields = ("audio_url", "storage_path", "created_at", "detected_note", "detected_hz")
    raw_id_fields = ("user", "varied_from")

    # Like a member's delete: the stored file (public in Supabase) and the presets using the kick
    # go with the row, instead of a bare row delete that leaves both behind.
    def delete_model(self, request, obj: GeneratedKick) -> None:
        obj.delete_with_presets(get_kick_storage())

    def delete_queryset(self, request, queryset) -> None:
        storage = get_kick_storage()
        for kick in queryset:
            kick.delete_with_presets(storage)


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "status", "created_at", "started_at", "finished_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("user__username", "error")
    readonly_fields = [field.name for field in GenerationJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
