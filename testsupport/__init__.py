"""Test and benchmark tooling shared by every app: the app served by real daphne processes
(live_server), a private redis-server (redis_server), Debian's Chromium flags and the page steps
(browser), a tiny untrained weights folder for code that loads the model (tiny_weights), and
the Playwright tools run from the repository root (`python -m testsupport.measure_page`,
`python -m testsupport.screenshots`).

Production code never imports it, and it is not installed with the project (pyproject.toml's
`packages`): it drives the checkout's manage.py, and its tools need Playwright, a dev dependency.
"""
