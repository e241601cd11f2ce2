from django.urls import path

from snu.signals import views

app_name = "signals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.signal_edit, name="signal_new"),
    path("<int:pk>/", views.signal_detail, name="signal"),
    path("<int:pk>/edit/", views.signal_edit, name="signal_edit"),
    path("<int:pk>/delete/", views.signal_delete, name="signal_delete"),
    path("<int:pk>/review/", views.signal_review, name="signal_review"),
    path("<int:pk>/propose/", views.signal_propose, name="signal_propose"),
]
