from django.urls import path

from snu.grants import views

app_name = "grants"
urlpatterns = [
    path("", views.allocation_list, name="allocation_list"),
    path("<int:pk>/", views.allocation_detail, name="allocation_detail"),
]
