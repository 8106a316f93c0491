"""Takes the README's screenshots from a running app, in Debian's Chromium:

    bash .ci/serve &
    .venv/bin/python -m testsupport.screenshots [--url URL] [--out docs/screenshots]

It signs up a new member, shapes a sound with the hotkeys and plays it, shoots the DAW, then
enters AI Kick Gen mode, generates a kick with the app's model (it plays) and shoots the mode with
"Ask for" open. Both at 1440 × 900, the page as a whole.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from testsupport.browser import CHROMIUM, CHROMIUM_ARGS, signup, unique_username, wait_engine_ready

WIDTH, HEIGHT = 1440, 900
# A few presses per layer: some drive, a little OTT, the noise brought up, a darker reverb.
SOUND_KEYS = "ssssssss" + "xxxxxxxxxx" + "v" * 22 + "tttt" + "hhhh"


def take(url: str, out: Path, timeout_s: float) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # wait_for_function evaluates a string, which the site's CSP forbids.
        context = browser.new_context(
            base_url=url, viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True
        )
        page = context.new_page()
        signup(page, unique_username("producer"))
        wait_engine_ready(page)
        page.wait_for_selector("#loading-overlay", state="hidden")
        for key in SOUND_KEYS:
            page.keyboard.press(key)
        page.keyboard.press(" ")
        page.wait_for_function("Number(document.getElementById('output-meter').dataset.peak) > -20")
        daw = out / "daw.png"
        page.screenshot(path=str(daw), full_page=True)

        page.click("[data-kickgen-enter]")
        page.click("[data-kickgen-generate]")
        page.wait_for_function(
            "window.kwr.sound.get('kick_sample').startsWith('AI: ')", timeout=timeout_s * 1000
        )
        page.wait_for_selector("#kickgen-info dl")
        page.click(".kickgen-bar__options summary")
        page.wait_for_function("window.kwr.playing")
        kickgen = out / "ai-kick-gen.png"
        page.screenshot(path=str(kickgen), full_page=True)
        browser.close()
    return [daw, kickgen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the kick")
    args = parser.parse_args()
    for path in take(args.url, args.out, args.timeout):
        print(path)


if __name__ == "__main__":
    main()
