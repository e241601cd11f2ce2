from django.urls import path

from snu.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/errors.csv", views.batch_errors, name="errors"),
    path("<int:pk>/skipped.csv", views.batch_skipped, name="skipped"),
]
