from django.urls import path

from snu.public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:authority_code>/", views.allocation_list, name="allocations"),
    path("<slug:authority_code>/allocations.csv", views.download_csv, name="csv"),
    path("<slug:authority_code>/allocations.360giving.json", views.download_360giving, name="json360"),
    path("<slug:authority_code>/about/", views.about, name="about"),
    path("<slug:authority_code>/focus-areas/", views.focus_areas, name="focus_areas"),
    path("<slug:authority_code>/focus-areas/<str:code>/", views.focus_area, name="focus_area"),
    path("<slug:authority_code>/municipalities/", views.municipalities, name="municipalities"),
    path("<slug:authority_code>/municipalities/<str:number>/", views.municipality, name="municipality"),
    # external ids are case numbers such as 2023/0001, so the stable address takes the rest of the path
    path("<slug:authority_code>/allocations/<path:external_id>/", views.allocation_detail, name="allocation"),
]
