from django.urls import path

from snu.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.preview, name="preview"),
    path("<int:year>/report.<str:fmt>", views.download, name="download"),
    path("<int:year>/texts/", views.edit_texts, name="texts"),
]
