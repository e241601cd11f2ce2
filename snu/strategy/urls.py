from django.urls import path

from snu.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_list, name="list"),
    path("<slug:code>/", views.strategy_detail, name="detail"),
    path("<slug:code>/edit/", views.strategy_edit, name="edit"),
    path("<slug:code>/yaml/", views.strategy_yaml, name="yaml"),
    path("<slug:code>/elements/new/", views.element_edit, name="element_new"),
    path("<slug:code>/elements/<str:element_code>/", views.element_detail, name="element"),
    path("<slug:code>/elements/<str:element_code>/edit/", views.element_edit, name="element_edit"),
]
