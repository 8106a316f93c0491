"""Staff removing kicks in the admin: the stored file and the presets using the kick go too."""

import pytest
from django.urls import reverse

from kickgen.jobs import processing
from kickgen.limits import reserve_generation
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.tests.conftest import stored_files
from presets.models import Preset, init_preset_defaults

pytestmark = pytest.mark.django_db


def generated_kick(user) -> GeneratedKick:
    job, _ = reserve_generation(user, seed=3, keywords="hit house")
    processing.process_job(str(job.pk))
    return GenerationJob.objects.get(pk=job.pk).kick


def test_admin_delete_removes_the_file_and_the_presets_using_it(
    admin_client, member, scripted, settings
):
    kick = generated_kick(member)
    Preset.objects.create(
        user=member, preset_name="Uses it", **{**init_preset_defaults(), "kick_sample": kick.name}
    )
    url = reverse("admin:kickgen_generatedkick_delete", args=[kick.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not GeneratedKick.objects.exists()
    assert stored_files(settings) == []
    assert not Preset.objects.filter(user=member).exists()


def test_admin_bulk_delete_removes_every_file(
    admin_client, member, other_member, scripted, settings
):
    generated_kick(member)
    generated_kick(other_member)
    answer = admin_client.post(
        reverse("admin:kickgen_generatedkick_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(GeneratedKick.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert answer.status_code == 302
    assert not GeneratedKick.objects.exists()
    assert stored_files(settings) == []


def test_deleting_a_member_removes_their_stored_kicks(
    admin_client, member, scripted, settings, django_capture_on_commit_callbacks
):
    generated_kick(member)
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            reverse("admin:auth_user_delete", args=[member.pk]), {"post": "yes"}
        )
    assert answer.status_code == 302
    assert not GeneratedKick.objects.exists()
    assert stored_files(settings) == []
