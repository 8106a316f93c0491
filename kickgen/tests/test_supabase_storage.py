"""The Supabase backend through supabase-py against a local server speaking Storage's protocol."""

import urllib.request

import pytest

from kickgen import storage
from kickgen.jobs import failures, processing
from kickgen.limits import reserve_generation, usage_for
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.tests.doubles import kick_wav
from kickgen.tests.storage_server import LocalStorageServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def supabase(settings):
    with LocalStorageServer() as server:
        settings.SUPABASE_URL = server.url
        settings.SUPABASE_SERVICE_KEY = "service-role-key"
        settings.SUPABASE_BUCKET = "generated-kicks"
        yield server


def test_backend_is_chosen_by_settings(supabase, settings):
    assert isinstance(storage.get_kick_storage(), storage.SupabaseKickStorage)
    settings.SUPABASE_SERVICE_KEY = ""
    assert isinstance(storage.get_kick_storage(), storage.LocalKickStorage)


def test_upload_public_url_download_and_delete(supabase, member, scripted):
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    kick = GeneratedKick.objects.get(user=member)
    bucket, path = ("generated-kicks", kick.storage_path)
    assert path.startswith(f"{member.pk}/") and path.endswith(".wav")
    data, content_type = supabase.state.objects[(bucket, path)]
    assert (data, content_type) == (kick_wav(), "audio/wav")
    upload = next(r for r in supabase.state.requests if r[0] == "POST")
    assert upload[1] == f"/storage/v1/object/{bucket}/{path}"
    assert upload[2].get("x-upsert") == "false"
    assert kick.audio_url == f"{supabase.url}/storage/v1/object/public/{bucket}/{path}"
    with urllib.request.urlopen(kick.audio_url) as response:
        assert response.read() == kick_wav()

    kick.delete_with_presets(storage.get_kick_storage())
    assert supabase.state.objects == {}
    delete = next(r for r in supabase.state.requests if r[0] == "DELETE")
    assert delete[1] == f"/storage/v1/object/{bucket}"


def test_upload_error_fails_the_job_uncounted(supabase, member, scripted):
    supabase.state.fail_next["POST"] = 500
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, failures.MSG_STORAGE)
    assert supabase.state.objects == {}
    assert usage_for(member).today == 0


def test_unreachable_storage_fails_the_job(settings, member, scripted):
    with LocalStorageServer() as server:
        url = server.url
    settings.SUPABASE_URL = url  # the server is gone: connection refused (an httpx error)
    settings.SUPABASE_SERVICE_KEY = "service-role-key"
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, failures.MSG_STORAGE)


def test_row_failure_removes_the_uploaded_object(supabase, member, scripted, monkeypatch):
    from django.db import DatabaseError

    def broken_create(*args, **kwargs):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(GeneratedKick.objects, "create", broken_create)
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, failures.MSG_DATABASE)
    assert [r[0] for r in supabase.state.requests] == ["POST", "DELETE"]
    assert supabase.state.objects == {}


def test_delete_error_keeps_kick_and_presets(supabase, member, scripted):
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    kick = GeneratedKick.objects.get(user=member)
    kick_id = kick.pk
    supabase.state.fail_next["DELETE"] = 503
    with pytest.raises(storage.StorageUnavailable):
        kick.delete_with_presets(storage.get_kick_storage())
    assert GeneratedKick.objects.filter(pk=kick_id).exists()
    assert len(supabase.state.objects) == 1
