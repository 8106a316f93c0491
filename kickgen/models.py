"""A member's AI-generated kicks and the generation jobs that produce them."""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from django.core.files.storage import Storage

AI_NAME_PREFIX = "AI: "


class GeneratedKick(models.Model):
    """One generated kick sample: its display name, where its WAV lives and what was asked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generated_kicks"
    )
    name = models.CharField(max_length=64, help_text='Display name, "AI: <German first name>".')
    audio_url = models.CharField(max_length=500)
    storage_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    keywords = models.CharField(max_length=200, blank=True)
    seed = models.BigIntegerField()
    note = models.CharField(max_length=4, blank=True, help_text="Tail note asked for, e.g. F1.")
    decay_ms = models.PositiveIntegerField(null=True, blank=True)
    punch = models.FloatField(null=True, blank=True)
    detected_note = models.CharField(max_length=8, blank=True)
    detected_hz = models.FloatField(null=True, blank=True)
    varied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variations"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="kickgen_unique_name_per_member")
        ]

    def __str__(self) -> str:
        return self.name

    def presets_using(self) -> models.QuerySet:
        """The member's presets whose kick is this one (they store the kick's display name)."""
        from presets.models import Preset

        return Preset.objects.filter(user_id=self.user_id, kick_sample=self.name).order_by(
            "preset_name"
        )

    def delete_with_presets(self, storage: "Storage") -> None:
        """Delete the presets using this kick, the row and the stored file, all or nothing.

        The file goes last inside the transaction: if storage refuses, the rows stay.
        """
        with transaction.atomic():
            self.presets_using().delete()
            self.delete()
            storage.delete(self.storage_path)


class GenerationJob(models.Model):
    """One request to generate (or vary) a kick; its row is the quota reservation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        GENERATE = "generate", "Generate"
        VARY = "vary", "More like this"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.GENERATE)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    keywords = models.CharField(max_length=200, blank=True)
    seed = models.BigIntegerField()
    note = models.CharField(max_length=4, blank=True)
    decay_ms = models.PositiveIntegerField(null=True, blank=True)
    punch = models.FloatField(null=True, blank=True)
    source_kick = models.ForeignKey(
        GeneratedKick, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kick = models.OneToOneField(
        GeneratedKick, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    progress_step = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # "<hostname>:<pid>" of the process running the job, so a restart can tell its own orphans.
    worker = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched while the owning process holds the job; a stale heartbeat means the process died.
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["user", "status"], name="kickgen_job_user_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class GenerationDay(models.Model):
    """One row per New York day: locking it serialises quota reservations across all members."""

    day = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return self.day.isoformat()
