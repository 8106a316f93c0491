"""Refusals as a producer meets them, in Chromium against daphne in DEBUG mode (the README's run
mode, where django-htmx's error handler used to replace the whole document with any 400/404):
each refusal leaves the page intact and shows its message in place; a double click makes one
kick; a guest browses and loads a shared preset."""

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kickgen.tests.live import kickgen_cluster
from testsupport.browser import (
    load_preset,
    save_preset,
    signup,
    unique_username,
    wait_engine_ready,
)

pytestmark = pytest.mark.browser

PAGE_INTACT = """() => Boolean(document.querySelector("#daw") && document.querySelector(".topbar")
  && window.kwr && document.body.dataset.engine === "ready")"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    cluster = kickgen_cluster(
        tmp_path_factory.mktemp("kickgen-refusals"),
        "kickgen.tests.doubles.PacedGenerator",
        settings_lines=["DEBUG = True"],
    )
    cluster.start(1)
    yield cluster
    cluster.stop()


@pytest.fixture
def context(browser, server):
    context = browser.new_context(base_url=server.urls[0], bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def member(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.username = unique_username("r")
    signup(page, page.username)
    wait_engine_ready(page, timeout_ms=20_000)
    page.click("[data-kickgen-enter]")
    return page


def shell(server, code: str) -> str:
    return server.manage(
        "shell", "--no-imports", "-c", "from django.contrib.auth import get_user_model\n" + code
    )


def delete_rows(server, module: str, model: str, **lookup: str) -> None:
    """Deletes rows behind the page's back, as another tab would."""
    shell(server, f"from {module} import {model}\n{model}.objects.filter(**{lookup!r}).delete()")


def status_text(page) -> str:
    return page.text_content("#kickgen-status").strip()


def assert_refused_in_place(page, message: str) -> None:
    try:
        page.wait_for_function(
            "(text) => document.querySelector('#kickgen-status')?.textContent.includes(text)",
            arg=message,
            timeout=10_000,
        )
    except PlaywrightTimeout:
        raise AssertionError(
            f"{message!r} not shown; status: {status_text(page)!r}; errors: {page.errors}"
        ) from None
    assert page.evaluate(PAGE_INTACT)
    assert page.evaluate("window.kickgen.mode") == "kickgen"


def generate_one(page) -> str:
    before = page.evaluate("window.kwr.sound.get('kick_sample')")
    page.click("[data-kickgen-generate]")
    page.wait_for_function(
        "(before) => { const name = window.kwr.sound.get('kick_sample');"
        " return name !== before && name.startsWith('AI: '); }",
        arg=before,
        timeout=30_000,
    )
    return page.evaluate("window.kwr.sound.get('kick_sample')")


def test_refusals_keep_the_page_and_say_why(member, server):
    page = member
    # Nothing to act on yet: the buttons wait, and say why.
    vary = page.locator(".kickgen-bar__vary")
    assert vary.is_disabled() and page.locator(".kickgen-bar__delete").is_disabled()
    assert vary.get_attribute("title") == "Generate a kick first"
    # A stale tab whose buttons are still enabled asks anyway: refused in place.
    page.evaluate("document.querySelector('.kickgen-bar__vary').disabled = false")
    vary.click()
    assert_refused_in_place(page, "Select one of your kicks first.")

    # A hand-made bad decay (the browser's own min check removed).
    page.click(".kickgen-bar__options summary")
    page.evaluate("document.querySelector('[name=decay_ms]').removeAttribute('min')")
    page.fill("[name=decay_ms]", "10")
    page.click("[data-kickgen-generate]")
    assert_refused_in_place(page, "Decay (ms) can be 50–2000 with this model.")
    page.fill("[name=decay_ms]", "")

    # A kick deleted in another tab: delete and More like this say so and the list catches up.
    name = generate_one(page)
    delete_rows(server, "kickgen.models", "GeneratedKick", name=name)
    page.click(".kickgen-bar__delete")
    assert_refused_in_place(page, "That kick no longer exists")
    page.wait_for_function("!document.querySelector('#kickgen-select option[data-name]')")

    # The daily limit speaks before the burst throttle.
    shell(
        server,
        "from kickgen.models import GenerationJob\n"
        f"user = get_user_model().objects.get(username={page.username!r})\n"
        "GenerationJob.objects.bulk_create([GenerationJob(user=user, seed=i, status='done')"
        " for i in range(10)])\n",
    )
    page.click("[data-kickgen-generate]")
    assert_refused_in_place(page, "Daily generation limit reached — more at 12:00 AM")
    assert "wait a minute" not in status_text(page)
    assert page.errors == []


def test_a_stale_preset_is_refused_in_the_bar(member, server):
    page = member
    page.click("#kickgen-back")
    save_preset(page, "Gone Soon")
    load_preset(page, "Init")
    delete_rows(server, "presets.models", "Preset", preset_name="Gone Soon")
    page.select_option("#preset-select", label="Gone Soon")
    page.wait_for_function(
        "document.querySelector('#presets-bar').textContent.includes('preset no longer exists')"
    )
    assert page.evaluate(PAGE_INTACT)
    assert "Gone Soon" not in page.text_content("#preset-select")
    assert page.errors == []


def test_a_double_click_makes_one_kick(member, server):
    page = member
    page.dblclick("[data-kickgen-generate]")
    page.wait_for_function(
        "document.querySelectorAll('#kickgen-select option[data-name]').length === 1"
        " && document.querySelector('#kickgen-status').dataset.state === 'idle'",
        timeout=30_000,
    )
    jobs = shell(
        server,
        "from kickgen.models import GenerationJob\n"
        f"print(GenerationJob.objects.filter(user__username={page.username!r}).count())",
    )
    assert jobs.strip() == "1"
    assert page.locator("#kickgen-select option[data-name]").count() == 1


def test_a_guest_browses_and_loads_a_shared_preset(context, server):
    shell(
        server,
        "from presets.models import Preset, init_preset_defaults, SHARED_PRESETS_USERNAME\n"
        "owner = get_user_model().objects.get(username=SHARED_PRESETS_USERNAME)\n"
        "Preset.objects.get_or_create(user=owner, preset_name='Warehouse 128', is_shared=True,"
        " defaults={**init_preset_defaults(), 'bpm': 128})\n",
    )
    page = context.new_page()
    page.goto("/")
    wait_engine_ready(page)
    assert page.locator("#preset-name").count() == 0  # browse and load, no saving
    page.select_option("#preset-select", label="Warehouse 128")
    page.wait_for_function("window.kwr.sound.get('bpm') === 128")
    assert page.input_value("#bpm") == "128"
    page.reload()
    wait_engine_ready(page)
    assert json.loads(page.evaluate("JSON.stringify(window.kwr.sound.get('bpm'))")) == 128
