"""The shared "Init" preset (DESIGN.md's Init column), owned by the inactive system user.

Values are frozen here as migrations are history; presets/tests/test_init_preset.py checks that
they still equal sound_contract.init_values(), so a contract change comes with a new migration.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations

SHARED_PRESETS_USERNAME = "shared-presets"
INIT_VALUES = {
    "bpm": 140,
    "kick_sample": "Warehouse",
    "kick_len": 1.0,
    "kick_dist_amt": 0.0,
    "kick_ott_amt": 0.0,
    "kick_tune": 0.0,
    "noise_sample": "Vinyl Crackle",
    "noise_low_pass_freq": 7000.0,
    "noise_high_pass_freq": 30.0,
    "noise_volume": -70.0,
    "reverb_sample": "Small Room",
    "reverb_low_pass_freq": 7000.0,
    "reverb_high_pass_freq": 30.0,
    "reverb_volume": -6.0,
    "master_ott_amt": 0.0,
    "master_dist_amt": 0.0,
    "master_limiter_amt": 1.5,
}


def create_init(apps, schema_editor):
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    preset_model = apps.get_model("presets", "Preset")
    owner, _ = user_model.objects.get_or_create(
        username=SHARED_PRESETS_USERNAME,
        defaults={"is_active": False, "password": make_password(None)},
    )
    preset_model.objects.update_or_create(
        user=owner, preset_name="Init", defaults={"is_shared": True, **INIT_VALUES}
    )


def remove_init(apps, schema_editor):
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user_model.objects.filter(username=SHARED_PRESETS_USERNAME, is_active=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("presets", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_init, remove_init)]
