"""WSGI entry point for WSGI-only tools; the app itself is served over ASGI (asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kickwithreverb.settings")
application = get_wsgi_application()
