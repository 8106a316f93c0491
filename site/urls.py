"""Root URLs: the DAW page, health, accounts (allauth), presets, AI kick generation, admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from . import views

admin.site.site_header = "Kick With Reverb admin"
admin.site.site_title = "Kick With Reverb admin"

urlpatterns = [
    path("", views.daw_page, name="daw"),
    path("health", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("presets/", include("presets.urls", namespace="presets")),
    path("kickgen/", include("kickgen.urls", namespace="kickgen")),
    path("admin/", admin.site.urls),
]

if not settings.SUPABASE_URL:
    # Embedded default: generated kicks live under MEDIA_ROOT and the app itself serves them
    # (Django's `static()` helper only does so with DEBUG on; the test settings run DEBUG off).
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", views.media, name="media")
    ]

# allauth renders its rate-limit answer through `<ROOT_URLCONF>.handler429`.
handler429 = "accounts.views.too_many_requests"
