from django.urls import path

from snu.core import views

app_name = "core"
urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("<str:object_type>/<str:object_id>/", views.object_audit, name="object_audit"),
]
