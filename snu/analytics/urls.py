from django.urls import path

from snu.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.json", views.dashboard_json, name="dashboard_json"),
    path("panel/<slug:name>.<str:fmt>", views.panel_export, name="panel"),
    path("allocations/", views.allocations, name="allocations"),
    path("allocations.<str:fmt>", views.allocations_export, name="allocations_export"),
]
