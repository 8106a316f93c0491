from django.urls import path

from kickgen import views

app_name = "kickgen"

urlpatterns = [
    path("generate", views.generate, name="generate"),
    path("vary", views.vary, name="vary"),
    path("info", views.info, name="info"),
    path("jobs/<str:job_id>", views.job_state, name="job"),
    path("delete", views.delete_selected, name="delete_selected"),
    path("kicks/<int:pk>/delete", views.delete, name="delete"),
    path("kicks/<int:pk>/download", views.download, name="download"),
]
