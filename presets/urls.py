from django.urls import path

from . import views

app_name = "presets"

urlpatterns = [
    path("bar/", views.presets_bar, name="bar"),
    path("load/", views.load, name="load"),
    path("save/", views.save, name="save"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
